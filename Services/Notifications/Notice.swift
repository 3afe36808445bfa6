import Contracts
import Foundation

/// What someone should be told about an event: who, which kind of notice, about what, and
/// whether it is worth an email. Deciding it is pure (no lookups), so each rule is unit-tested;
/// `Notifier` resolves the audience and renders the words.
struct Notice: Sendable, Equatable {
    enum Audience: Sendable, Equatable {
        case user(UUID)
        /// Every active member of a role.
        case role(Role)
    }

    let audience: Audience
    /// The notification type clients filter and subscribe by (`application_status_changed`, …).
    let type: String
    let data: [String: String]
    let emails: Bool

    static func about(_ event: LoansEvents.ApplicationStatusChanged) -> [Notice] {
        let type = event.to == .documentsRequested ? "documents_requested" : "application_status_changed"
        var data = ["application_id": id(event.applicationID), "status": event.to.rawValue]
        data["from"] = event.from?.rawValue
        return [Notice(audience: .user(event.customerID), type: type, data: data, emails: emailedStatuses.contains(event.to))]
    }

    /// A level opened or changed hands: its approver is told, or, with nobody to give it to, the
    /// whole role that new work waits.
    static func about(_ event: ApprovalsEvents.StageAssigned) -> [Notice] {
        let data = [
            "application_id": id(event.applicationID), "stage_id": id(event.stageID), "level": String(event.level),
            "role": event.role.rawValue, "reason": event.reason.rawValue, "due_at": event.dueAt.formatted(.iso8601),
        ]
        guard let assignee = event.assigneeID else {
            return [Notice(audience: .role(event.role), type: "new_application", data: data, emails: false)]
        }
        return [Notice(audience: .user(assignee), type: "stage_assigned", data: data, emails: true)]
    }

    static func about(_ event: ApprovalsEvents.SLABreached) -> [Notice] {
        [
            Notice(
                audience: .role(event.escalatedTo), type: "sla_breached",
                data: ["application_id": id(event.applicationID), "stage_id": id(event.stageID), "role": event.role.rawValue], emails: true)
        ]
    }

    static func about(_ event: TicketEvents.Updated) -> [Notice] {
        let data = ["ticket_id": id(event.ticketID), "status": event.status.rawValue, "change": event.change.rawValue]
        var notices: [Notice] = []
        // The client hears of every change but their own comments.
        if event.actorID != event.customerID || event.change != .commented {
            notices.append(Notice(audience: .user(event.customerID), type: "ticket_updated", data: data, emails: false))
        }
        if let assignee = event.assigneeID, event.change == .created || event.change == .assigned {
            notices.append(Notice(audience: .user(assignee), type: "ticket_assigned", data: data, emails: true))
        }
        return notices
    }

    static func about(_ event: TicketEvents.SLABreached) -> [Notice] {
        [Notice(audience: .role(event.escalatedTo), type: "ticket_sla_breached", data: ["ticket_id": id(event.ticketID)], emails: true)]
    }

    static func about(_ event: LoansEvents.InstalmentOverdue) -> [Notice] {
        [
            Notice(
                audience: .user(event.customerID), type: "instalment_overdue",
                data: [
                    "loan_id": id(event.loanID), "number": String(event.number), "due_date": event.dueDate.description,
                    "amount_due": event.amountDue.description,
                ],
                emails: true)
        ]
    }

    static func about(_ event: LoansEvents.LoanDisbursed) -> [Notice] {
        [
            Notice(
                audience: .user(event.customerID), type: "loan_disbursed",
                data: ["loan_id": id(event.loanID), "application_id": id(event.applicationID), "principal": event.principal.description],
                emails: true)
        ]
    }

    /// The account's owner hears of what changed their security (never of each failed sign-in:
    /// the lock-out that follows is what they need to know).
    static func about(_ event: AuthEvents.SecurityEvent) -> [Notice] {
        guard event.kind != .loginFailed else { return [] }
        var data = ["kind": event.kind.rawValue]
        data["client_ip"] = event.clientIP
        return [Notice(audience: .user(event.userID), type: "security_alert", data: data, emails: true)]
    }

    /// Moves a client would want to read about in their mailbox, not only in the app.
    static let emailedStatuses: Set<ApplicationStatus> = [.documentsRequested, .approved, .rejected, .disbursed]

    private static func id(_ id: UUID) -> String { id.uuidString }
}
