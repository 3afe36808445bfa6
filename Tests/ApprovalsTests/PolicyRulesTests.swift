import Contracts
import Foundation
import Testing

@testable import Approvals

@Suite struct PolicyRulesTests {
    @Test(arguments: [
        ("100.00", ["analyst"]), ("25000.00", ["analyst"]), ("25000.01", ["analyst", "manager"]),
        ("100000.00", ["analyst", "manager"]), ("100000.01", ["analyst", "manager", "director"]),
    ])
    func theDefaultChainFollowsTheAmount(amount: String, roles: [String]) {
        #expect(PolicyRules.chain(for: Money(amount)!, under: PolicyRules.standard).map(\.rawValue) == roles)
    }

    @Test func theDefaultPolicyIsValid() {
        #expect(PolicyRules.problems(PolicyRules.standard).isEmpty)
    }

    @Test func riskAtTheThresholdIsDeclined() {
        let policy = PolicyRules.standard
        #expect(PolicyRules.declinesAutomatically(risk: Decimal(string: "0.75")!, under: policy))
        #expect(!PolicyRules.declinesAutomatically(risk: Decimal(string: "0.7499")!, under: policy))
        var stricter = policy
        stricter.autoDeclineRisk = "0.6"
        #expect(PolicyRules.declinesAutomatically(risk: Decimal(string: "0.65")!, under: stricter))
    }

    @Test func aPolicyCannotRaiseTheThresholdOrLeaveGaps() {
        var policy = PolicyRules.standard
        policy.autoDeclineRisk = "0.8"
        policy.stages = [
            .init(maxAmount: Money("50000.00"), roles: [.analyst]), .init(maxAmount: Money("40000.00"), roles: [.manager, .manager]),
        ]
        policy.slaHours = ["analyst": 0, "janitor": 5]
        let fields = Set(PolicyRules.problems(policy).map(\.field))
        #expect(
            fields == [
                "auto_decline_risk", "stages[1].max_amount", "stages[1].roles", "sla_hours.analyst", "sla_hours.manager",
                "sla_hours.janitor",
            ])
        policy.autoDeclineRisk = "lots"
        #expect(PolicyRules.problems(policy).contains { $0.field == "auto_decline_risk" })
    }

    @Test func breachesGoOneRoleUp() {
        #expect(PolicyRules.escalation(of: .analyst) == .manager)
        #expect(PolicyRules.escalation(of: .manager) == .director)
        #expect(PolicyRules.escalation(of: .director) == .admin)
    }
}

@Suite struct DecisionRulesTests {
    let assignee = UUID()
    let application = UUID()

    func situation(
        risk: String = "0.20", deciders: [UUID] = [], parked: Bool = false, status: WorkflowStore.Status = .deciding
    ) -> DecisionRules.Situation {
        DecisionRules.Situation(
            workflowStatus: status, risk: Decimal(string: risk),
            stage: ApprovalStage(
                id: UUID(), applicationID: application, level: 2, role: .manager, status: .open, assigneeID: assignee, decidedBy: nil,
                decision: nil, comment: nil, dueAt: Date(), decidedAt: nil, overdue: false, awaitingDocuments: parked),
            deciders: deciders)
    }

    func request(_ decision: ApprovalDecision, comment: String? = "why", documents: [DocumentType]? = nil) -> ApprovalsRPC.Decide.Request {
        .init(applicationID: application, decision: decision, comment: comment, documents: documents)
    }

    func principal(_ id: UUID, _ role: Role) -> Principal { Principal(userID: id, role: role, sessionID: "s") }

    @Test func theAssigneeDecides() {
        #expect(DecisionRules.refusal(request(.approve), by: principal(assignee, .manager), in: situation()) == nil)
        #expect(DecisionRules.refusal(request(.approve), by: principal(UUID(), .manager), in: situation())?.status == 403)
        #expect(DecisionRules.refusal(request(.approve), by: principal(UUID(), .admin), in: situation()) == nil)
    }

    @Test func nobodyDecidesTwoLevels() {
        let earlier = UUID()
        let refusal = DecisionRules.refusal(request(.approve), by: principal(earlier, .admin), in: situation(deciders: [earlier]))
        #expect(refusal?.status == 403)
        #expect(refusal?.type == "/problems/maker-checker")
    }

    @Test func highRiskIsNeverApproved() {
        #expect(DecisionRules.refusal(request(.approve), by: principal(assignee, .manager), in: situation(risk: "0.75"))?.status == 422)
        #expect(DecisionRules.refusal(request(.reject), by: principal(assignee, .manager), in: situation(risk: "0.75")) == nil)
    }

    @Test func aParkedOrClosedStageTakesNoDecision() {
        #expect(DecisionRules.refusal(request(.approve), by: principal(assignee, .manager), in: situation(parked: true))?.status == 409)
        #expect(
            DecisionRules.refusal(request(.approve), by: principal(assignee, .manager), in: situation(status: .approved))?.status == 409)
    }

    @Test func rejectingNeedsAReasonAndAskingNeedsDocuments() {
        let manager = principal(assignee, .manager)
        #expect(DecisionRules.refusal(request(.reject, comment: "  "), by: manager, in: situation())?.status == 422)
        #expect(DecisionRules.refusal(request(.requestDocuments), by: manager, in: situation())?.status == 422)
        #expect(DecisionRules.refusal(request(.requestDocuments, documents: [.bankStatement]), by: manager, in: situation()) == nil)
        #expect(
            DecisionRules.refusal(request(.approve, comment: String(repeating: "x", count: 2001)), by: manager, in: situation())?.status
                == 422)
    }
}

@Suite struct TicketRulesTests {
    let client = UUID()
    let admin = UUID()

    func ticket(_ status: Ticket.Status) -> Ticket {
        Ticket(
            id: UUID(), customerID: client, subject: "Help", description: "Please", priority: .medium, status: status, applicationID: nil,
            assignee: .init(id: admin, fullName: "A"), dueAt: Date(), escalated: false, version: 1, createdAt: Date(), updatedAt: Date(),
            resolvedAt: nil, comments: nil)
    }

    func change(_ status: Ticket.Status?, priority: Ticket.Priority? = nil) -> TicketsRPC.Update.Request {
        .init(id: UUID(), status: status, priority: priority, expectedVersion: nil)
    }

    @Test func slaFollowsPriority() {
        #expect([Ticket.Priority.high, .medium, .low].map(TicketRules.slaHours) == [4, 24, 72])
    }

    @Test func theAssigneeMovesItForwardOnly() {
        let assignee = Principal(userID: admin, role: .admin, sessionID: "s")
        #expect(TicketRules.refusal(change(.inProgress), to: ticket(.open), by: assignee) == nil)
        #expect(TicketRules.refusal(change(.resolved), to: ticket(.inProgress), by: assignee) == nil)
        #expect(TicketRules.refusal(change(.resolved), to: ticket(.open), by: assignee)?.status == 409)
        #expect(TicketRules.refusal(change(.open), to: ticket(.resolved), by: assignee)?.status == 409)
        #expect(
            TicketRules.refusal(change(.inProgress), to: ticket(.open), by: Principal(userID: UUID(), role: .admin, sessionID: "s"))?.status
                == 403)
        #expect(
            TicketRules.refusal(change(.inProgress), to: ticket(.open), by: Principal(userID: UUID(), role: .superAdmin, sessionID: "s"))
                == nil)
        #expect(TicketRules.refusal(change(nil), to: ticket(.open), by: assignee)?.status == 422)
    }

    @Test func theClientOnlyReopens() {
        let owner = Principal(userID: client, role: .client, sessionID: "s")
        #expect(TicketRules.refusal(change(.open), to: ticket(.resolved), by: owner) == nil)
        #expect(TicketRules.refusal(change(.open), to: ticket(.inProgress), by: owner)?.status == 409)
        #expect(TicketRules.refusal(change(.resolved), to: ticket(.inProgress), by: owner)?.status == 403)
        #expect(TicketRules.refusal(change(nil, priority: .high), to: ticket(.open), by: owner)?.status == 403)
    }

    @Test func onlyParticipantsComment() {
        let open = ticket(.open)
        #expect(TicketRules.isParticipant(open, Principal(userID: client, role: .client, sessionID: "s")))
        #expect(TicketRules.isParticipant(open, Principal(userID: admin, role: .admin, sessionID: "s")))
        #expect(!TicketRules.isParticipant(open, Principal(userID: UUID(), role: .admin, sessionID: "s")))
        #expect(!TicketRules.canSee(open, Principal(userID: UUID(), role: .client, sessionID: "s")))
    }
}
