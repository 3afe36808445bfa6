import Contracts
import Foundation
import ServiceKit

/// Who may do what with a support ticket, and when it is due. Pure, so every rule is tested
/// without servers.
enum TicketRules {
    /// Staff roles that work tickets (clients own them).
    static let workers: Set<Role> = [.admin, .superAdmin]

    static func slaHours(_ priority: Ticket.Priority) -> Int {
        switch priority {
        case .high: 4
        case .medium: 24
        case .low: 72
        }
    }

    static func dueAt(_ priority: Ticket.Priority, from start: Date) -> Date {
        start.addingTimeInterval(TimeInterval(slaHours(priority) * 3600))
    }

    static func problems(_ request: TicketsRPC.Create.Request) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        let subject = request.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(3...200).contains(subject.count) { problems.append(.init(field: "subject", message: "must be 3 to 200 characters")) }
        if let problem = bodyProblem(request.description, field: "description") { problems.append(problem) }
        return problems
    }

    static func bodyProblem(_ text: String, field: String) -> Problem.FieldError? {
        (1...5000).contains(text.trimmingCharacters(in: .whitespacesAndNewlines).count)
            ? nil : .init(field: field, message: "must be 1 to 5000 characters")
    }

    /// Whether `caller` may see `ticket` at all (others get a 404: its existence is not theirs).
    /// The tickets a caller syncs: every ticket for those who work them, a client's own, and none
    /// for other staff (as `canSee`).
    static func syncScope(_ caller: Principal) -> ChangeFeed.Scope? {
        if workers.contains(caller.role) { return ChangeFeed.Scope(owner: nil) }
        return caller.role == .client ? ChangeFeed.Scope(owner: caller.userID) : nil
    }

    static func canSee(_ ticket: Ticket, _ caller: Principal) -> Bool {
        workers.contains(caller.role) || ticket.customerID == caller.userID
    }

    /// The ticket's client, its assignee and the super administrators talk on it.
    static func isParticipant(_ ticket: Ticket, _ caller: Principal) -> Bool {
        ticket.customerID == caller.userID || ticket.assignee?.id == caller.userID || caller.role == .superAdmin
    }

    /// Why `caller` cannot make this change to `ticket`, or nil when they can.
    static func refusal(_ request: TicketsRPC.Update.Request, to ticket: Ticket, by caller: Principal) -> Problem? {
        if request.status == nil && request.priority == nil {
            return Problem.validation(field: "status", "give a status or a priority to change")
        }
        if caller.role == .client {
            guard request.priority == nil, request.status == .open else {
                return Problem.forbidden("A client may only reopen a resolved ticket.")
            }
            return ticket.status == .resolved
                ? nil : Problem.conflict("Only a resolved ticket can be reopened.", slug: "illegal-transition")
        }
        guard caller.role == .superAdmin || (caller.role == .admin && ticket.assignee?.id == caller.userID) else {
            return Problem.forbidden("Only the ticket's assignee or a super administrator may change it.")
        }
        if let next = request.status, next != ticket.status, !staffMoves[ticket.status, default: []].contains(next) {
            return Problem.conflict(
                "A ticket that is \(ticket.status.rawValue) cannot become \(next.rawValue).", slug: "illegal-transition")
        }
        return nil
    }

    private static let staffMoves: [Ticket.Status: Set<Ticket.Status>] = [.open: [.inProgress], .inProgress: [.resolved]]
}
