import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Approvals

/// `DecisionOperations` on a database of its own: who decides a stage, the risk rule, the chain,
/// documents, and what `loans` is told.
@Suite struct DecisionOperationsTests {
    @Test func theAssignedAnalystApprovesASmallRequestAndLoansRecordsTheApprovalUnderItsEventsID() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision("10000.00")
            let stage = try await approvals.openStage(of: id)
            #expect(stage.level == 1 && stage.role == .analyst && stage.assigneeID == analyst.userID)

            #expect(try await approvals.decide(id, .approve, by: analyst, comment: "  Good file.  ").status == 200)

            let decided = try #require(try await approvals.stages(of: id).first)
            #expect(decided.status == .decided && decided.decision == .approve && decided.decidedBy == analyst.userID)
            #expect(decided.comment == "Good file.")
            let approved = try #require(try await approvals.published(ApprovalsEvents.Approved.self).first)
            #expect(approved.event.applicationID == id && approved.event.decidedBy == analyst.userID)
            #expect(approved.event.sequence == 3, "after analysis started (1) and awaiting decision (2)")
            #expect(try await approvals.published(ApprovalsEvents.StageDecided.self).map(\.event.decision) == [.approve])
            // `loans` was asked for missing documents as the approver, then told of the move by the event's id.
            #expect(approvals.loans.calls == [ApplicationsRPC.Get.name, ApplicationsRPC.RecordDecision.name])
            #expect(approvals.held.askers == [analyst])
            let recorded = try #require(approvals.held.recorded.first)
            #expect(recorded.status == .approved && recorded.actorID == analyst.userID && recorded.applicationID == id)
            #expect(recorded.messageID == approved.messageID && recorded.sequence == 3)
            // Decided once: a second decision finds nothing to decide.
            #expect(try await approvals.decide(id, .approve, by: analyst).status == 409)
        }
    }

    @Test func onlyTheAssignedApproverDecidesAndARefusalChangesNothing() async throws {
        try await ApprovalsFixture.run { approvals in
            let first = try await approvals.staff(.analyst)
            let second = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            let stage = try await approvals.openStage(of: id)
            let assignee = try #require([first, second].first { $0.userID == stage.assigneeID })
            let colleague = assignee == first ? second : first
            let before = try await approvals.outbox()

            let other = try await approvals.decide(id, .approve, by: colleague)
            #expect(other.status == 403)
            #expect(try await approvals.decide(id, .reject, by: try await approvals.staff(.manager)).status == 403)
            #expect(try await approvals.decide(id, .approve, by: .signedIn(as: .client)).status == 403)
            #expect(try await approvals.decide(UUID(), .approve, by: assignee).status == 404)

            #expect(try await approvals.openStage(of: id) == stage)
            #expect(try await approvals.outbox() == before)
            #expect(approvals.held.recorded.isEmpty)
            // The assignee still can.
            #expect(try await approvals.decide(id, .approve, by: assignee).status == 200)
        }
    }

    @Test func anAdministratorMayDecideAStageAssignedToSomeoneElse() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            #expect(try await approvals.openStage(of: id).assigneeID == analyst.userID)
            #expect(try await approvals.decide(id, .reject, by: approvals.admin, comment: "Fraud suspected.").status == 200)
            let stage = try #require(try await approvals.stages(of: id).first)
            #expect(stage.decidedBy == approvals.admin.userID && stage.decision == .reject)
            #expect(approvals.held.recorded.map(\.status) == [.rejected])
        }
    }

    @Test func aRiskAtOrAboveThePolicyThresholdIsDeclinedWithoutAPerson() async throws {
        try await ApprovalsFixture.run { approvals in
            _ = try await approvals.staff(.analyst)
            let risky = try await approvals.submit()
            try await approvals.analyse(risky, risk: "0.7500", reasons: ["HIGH_DTI"])
            #expect(try await approvals.stages(of: risky).isEmpty)
            let rejected = try #require(try await approvals.published(ApprovalsEvents.Rejected.self).first?.event)
            #expect(rejected.applicationID == risky && rejected.decidedBy == nil)
            #expect(rejected.reason == "RISK_TOO_HIGH,HIGH_DTI")
            let never = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Decide.self, .init(applicationID: risky, decision: .approve, comment: nil, documents: nil),
                    as: approvals.admin))
            #expect(never.status == 422 && never.type == "/problems/risk-too-high")
            #expect(try await approvals.decide(risky, .reject, by: approvals.admin).status == 409, "declined already")

            // Just below the threshold a person decides.
            let borderline = try await approvals.awaitingDecision(risk: "0.7499")
            #expect(try await approvals.openStage(of: borderline).role == .analyst)
            #expect(try await approvals.published(ApprovalsEvents.Rejected.self).count == 1)
        }
    }

    @Test func aRiskAtTheCeilingIsNeverApprovedEvenByAnAdministratorButMayBeRejected() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision(risk: "0.3000")
            // A score corrected by hand after the chain opened: the decision checks it again.
            try await approvals.database.client.query(
                "UPDATE workflows SET risk_score = 0.8 WHERE application_id = \(id)", logger: approvals.database.logger)
            let before = try await approvals.outbox()
            for approver in [analyst, approvals.admin] {
                let refusal = try #require(
                    try await approvals.operations.problem(
                        ApprovalsRPC.Decide.self, .init(applicationID: id, decision: .approve, comment: nil, documents: nil), as: approver))
                #expect(refusal.status == 422 && refusal.type == "/problems/risk-too-high")
            }
            #expect(try await approvals.outbox() == before)
            #expect(try await approvals.openStage(of: id).decision == nil)
            #expect(try await approvals.decide(id, .reject, by: analyst, comment: "Too risky.").status == 200)
            #expect(try await approvals.published(ApprovalsEvents.Rejected.self).first?.event.decidedBy == analyst.userID)
        }
    }

    @Test func aLargerRequestNeedsEachLevelDecidedByAnotherPerson() async throws {
        try await ApprovalsFixture.run { approvals in
            _ = try await approvals.staff(.analyst)
            let manager = try await approvals.staff(.manager)
            let id = try await approvals.awaitingDecision("50000.00")
            #expect(try await approvals.stages(of: id).map(\.role) == [.analyst, .manager])
            #expect(try await approvals.stages(of: id).map(\.status) == [.open, .waiting])

            // The administrator decides the analyst's level, and may then not decide the manager's.
            #expect(try await approvals.decide(id, .approve, by: approvals.admin).status == 200)
            let second = try await approvals.openStage(of: id)
            #expect(second.level == 2 && second.assigneeID == manager.userID)
            #expect(try await approvals.published(ApprovalsEvents.Approved.self).isEmpty)
            #expect(approvals.held.recorded.isEmpty, "an intermediate level does not move the application")
            let twice = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Decide.self, .init(applicationID: id, decision: .approve, comment: nil, documents: nil),
                    as: approvals.admin))
            #expect(twice.status == 403 && twice.type == "/problems/maker-checker")

            #expect(try await approvals.decide(id, .approve, by: manager).status == 200)
            #expect(try await approvals.stages(of: id).map(\.decidedBy) == [approvals.admin.userID, manager.userID])
            #expect(try await approvals.published(ApprovalsEvents.Approved.self).map(\.event.decidedBy) == [manager.userID])
            #expect(approvals.held.recorded.map(\.status) == [.approved])
        }
    }

    @Test func aRejectionNeedsAReasonAndCancelsTheLevelsNotReached() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            _ = try await approvals.staff(.manager)
            let id = try await approvals.awaitingDecision("150000.00")
            let silent = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Decide.self, .init(applicationID: id, decision: .reject, comment: "  ", documents: nil), as: analyst))
            #expect(silent.status == 422 && silent.errors?.map(\.field) == ["comment"])

            #expect(try await approvals.decide(id, .reject, by: analyst, comment: "Income not verifiable.").status == 200)
            #expect(try await approvals.stages(of: id).map(\.status) == [.decided, .cancelled, .cancelled])
            let rejected = try #require(try await approvals.published(ApprovalsEvents.Rejected.self).first)
            #expect(rejected.event.reason == "Income not verifiable." && rejected.event.decidedBy == analyst.userID)
            // Rejecting asks `loans` nothing first; it only records the move.
            #expect(approvals.loans.calls == [ApplicationsRPC.RecordDecision.name])
            #expect(approvals.held.recorded.map(\.messageID) == [rejected.messageID])
            #expect(try await approvals.decide(id, .approve, by: approvals.admin).status == 409)
        }
    }

    @Test func requestingDocumentsParksTheStageUntilTheClientUploadsOne() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            let vague = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Decide.self, .init(applicationID: id, decision: .requestDocuments, comment: "Please.", documents: []),
                    as: analyst))
            #expect(vague.status == 422 && vague.errors?.map(\.field) == ["documents"])

            #expect(
                try await approvals.decide(id, .requestDocuments, by: analyst, comment: "Your payslips, please.", documents: [.incomeProof])
                    .status == 200)
            let parked = try await approvals.openStage(of: id)
            #expect(parked.awaitingDocuments && parked.assigneeID == analyst.userID && parked.decidedBy == nil)
            let asked = try #require(try await approvals.published(ApprovalsEvents.DocumentsRequested.self).first)
            #expect(asked.event.documents == [.incomeProof] && asked.event.requestedBy == analyst.userID && asked.event.sequence == 3)
            let recorded = try #require(approvals.held.recorded.first)
            #expect(recorded.status == .documentsRequested && recorded.requestedDocuments == [.incomeProof])
            #expect(recorded.messageID == asked.messageID)
            // Nobody decides a parked stage.
            let waiting = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Decide.self, .init(applicationID: id, decision: .approve, comment: nil, documents: nil), as: analyst))
            #expect(waiting.status == 409 && waiting.type == "/problems/awaiting-documents")

            try await approvals.operations.deliver(
                LoansEvents.DocumentUploaded(applicationID: id, documentID: UUID(), documentType: .incomeProof, occurredAt: Date()))
            let resumed = try await approvals.openStage(of: id)
            #expect(!resumed.awaitingDocuments && resumed.assigneeID == analyst.userID)
            #expect(try await approvals.published(ApprovalsEvents.StageAssigned.self).map(\.event.reason) == [.opened, .resumed])
            #expect(try await approvals.decide(id, .approve, by: analyst).status == 200)
            #expect(approvals.held.recorded.map(\.status) == [.documentsRequested, .approved])
            #expect(approvals.held.recorded.map(\.sequence) == [3, 4])
        }
    }

    @Test func theFinalApprovalWaitsForEveryRequiredDocument() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            approvals.held.miss([.govtID, .bankStatement], on: id)
            let missing = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Decide.self, .init(applicationID: id, decision: .approve, comment: nil, documents: nil), as: analyst))
            #expect(missing.status == 422)
            #expect(missing.errors?.map(\.field) == ["documents.govt_id", "documents.bank_statement"])
            #expect(try await approvals.openStage(of: id).decision == nil)
            #expect(try await approvals.published(ApprovalsEvents.StageDecided.self).isEmpty)

            // Uploaded or waived in `loans`: the approval goes through.
            approvals.held.miss([], on: id)
            #expect(try await approvals.decide(id, .approve, by: analyst).status == 200)
            #expect(try await approvals.published(ApprovalsEvents.Approved.self).count == 1)
        }
    }

    @Test func anApprovalWaitsWhileLoansCannotSayWhichDocumentsAreMissing() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            approvals.loans.refuse(ApplicationsRPC.Get.self, with: .unavailable("loans is down"))
            #expect(try await approvals.decide(id, .approve, by: analyst).status == 503)
            #expect(try await approvals.openStage(of: id).decision == nil)
            #expect(try await approvals.published(ApprovalsEvents.StageDecided.self).isEmpty)
        }
    }

    @Test func aDecisionStandsWhenLoansCannotRecordItRightAway() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            approvals.loans.refuse(ApplicationsRPC.RecordDecision.self, with: .unavailable("loans is down"))
            #expect(try await approvals.decide(id, .approve, by: analyst).status == 200)
            // The event, in the outbox with the decision, carries the move to `loans` later.
            #expect(try await approvals.published(ApprovalsEvents.Approved.self).count == 1)
            #expect(try await approvals.stages(of: id).first?.decision == .approve)
        }
    }
}
