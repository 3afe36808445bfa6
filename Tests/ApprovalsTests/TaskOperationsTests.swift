import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Approvals

/// `TaskOperations` on a database of its own: who gets a stage, the task list, reassignment, and
/// what an application's workflow shows to whom.
@Suite struct TaskOperationsTests {
    private func tasks(
        _ approvals: ApprovalsFixture, as caller: Principal, assignee: String? = nil, status: ApprovalStage.Status? = nil,
        application: UUID? = nil
    ) async throws -> RPCResult {
        try await approvals.operations.call(
            ApprovalsRPC.ListTasks.self,
            .init(page: PageRequest(), assignee: assignee, status: status, role: nil, applicationID: application, overdue: nil), as: caller)
    }

    private func reassign(
        _ approvals: ApprovalsFixture, _ stage: ApprovalStage, to assignee: Principal, as caller: Principal
    ) async throws
        -> RPCResult
    {
        try await approvals.operations.call(ApprovalsRPC.Reassign.self, .init(stageID: stage.id, assigneeID: assignee.userID), as: caller)
    }

    @Test func newStagesGoToTheLeastLoadedApproverThenToWhoWaitedLongest() async throws {
        try await ApprovalsFixture.run { approvals in
            let analysts = [try await approvals.staff(.analyst), try await approvals.staff(.analyst)]
            var assignees: [UUID?] = []
            for _ in 0..<3 {
                let id = try await approvals.awaitingDecision()
                assignees.append(try await approvals.openStage(of: id).assigneeID)
            }
            #expect(Set(assignees.prefix(2)) == Set(analysts.map(\.userID)), "one each while both are free")
            #expect(assignees[2] == assignees[0], "a tie goes to the one given work longest ago")
            // A disabled analyst gets nothing more.
            let busier = try #require(analysts.first { $0.userID == assignees[0] })
            let other = try #require(analysts.first { $0 != busier })
            try await approvals.disable(other)
            let next = try await approvals.awaitingDecision()
            #expect(try await approvals.openStage(of: next).assigneeID == busier.userID)
        }
    }

    @Test func withNobodyOfItsRoleAStageOpensUnassigned() async throws {
        try await ApprovalsFixture.run { approvals in
            let id = try await approvals.awaitingDecision()
            let stage = try await approvals.openStage(of: id)
            #expect(stage.assigneeID == nil && stage.dueAt != nil)
            #expect(try await approvals.published(ApprovalsEvents.StageAssigned.self).map(\.event.assigneeID) == [nil])
        }
    }

    @Test func anApproverListsTheirOwnTasksAndOnlySupervisorsListOthers() async throws {
        try await ApprovalsFixture.run { approvals in
            let first = try await approvals.staff(.analyst)
            let second = try await approvals.staff(.analyst)
            let manager = try await approvals.staff(.manager)
            let one = try await approvals.awaitingDecision()
            let two = try await approvals.awaitingDecision()
            let mine = try await tasks(approvals, as: first).decode(Page<ApprovalStage>.self)
            #expect(mine.total == 1 && mine.items.allSatisfy { $0.assigneeID == first.userID })
            #expect(try await tasks(approvals, as: first, assignee: first.userID.uuidString).decode(Page<ApprovalStage>.self).total == 1)
            #expect(try await tasks(approvals, as: first, assignee: "any").status == 403)
            #expect(try await tasks(approvals, as: first, assignee: second.userID.uuidString).status == 403)
            #expect(try await tasks(approvals, as: .signedIn(as: .client)).status == 403)
            #expect(try await tasks(approvals, as: manager, assignee: "someone").status == 422)

            let everyone = try await tasks(approvals, as: manager, assignee: "any").decode(Page<ApprovalStage>.self)
            #expect(Set(everyone.items.map(\.applicationID)) == [one, two])
            let theirs = try await tasks(approvals, as: manager, assignee: second.userID.uuidString).decode(Page<ApprovalStage>.self)
            #expect(theirs.items.map(\.assigneeID) == [second.userID])
            #expect(try await tasks(approvals, as: manager).decode(Page<ApprovalStage>.self).total == 0, "the manager's own: none")
            let filtered = try await tasks(approvals, as: manager, assignee: "any", status: .open, application: one)
                .decode(Page<ApprovalStage>.self)
            #expect(filtered.items.map(\.applicationID) == [one])
            // Decided, the stage leaves the open list.
            let assignee = try #require([first, second].first { $0.userID == filtered.items.first?.assigneeID })
            #expect(try await approvals.decide(one, .approve, by: assignee).status == 200)
            #expect(try await tasks(approvals, as: assignee, status: .open).decode(Page<ApprovalStage>.self).total == 0)
            #expect(try await tasks(approvals, as: assignee, status: .decided).decode(Page<ApprovalStage>.self).total == 1)
        }
    }

    @Test func aManagerHandsAnOpenStageToAnotherActiveApprover() async throws {
        try await ApprovalsFixture.run { approvals in
            let first = try await approvals.staff(.analyst)
            let id = try await approvals.awaitingDecision()
            let second = try await approvals.staff(.analyst)
            let manager = try await approvals.staff(.manager)
            let stage = try await approvals.openStage(of: id)
            #expect(stage.assigneeID == first.userID)

            let moved = try await reassign(approvals, stage, to: second, as: manager).decode(ApprovalStage.self)
            #expect(moved.id == stage.id && moved.assigneeID == second.userID && moved.status == .open)
            let event = try #require(try await approvals.published(ApprovalsEvents.StageAssigned.self).last?.event)
            #expect(event.reason == .reassigned && event.assigneeID == second.userID && event.actorID == manager.userID)
            #expect(try await tasks(approvals, as: first).decode(Page<ApprovalStage>.self).total == 0)
            #expect(try await tasks(approvals, as: second).decode(Page<ApprovalStage>.self).items.map(\.id) == [stage.id])
            // The stage is the new assignee's to decide now, not the old one's.
            #expect(try await approvals.decide(id, .approve, by: first).status == 403)
            #expect(try await approvals.decide(id, .approve, by: second).status == 200)
        }
    }

    @Test func aReassignmentToSomeoneWhoCannotDecideItIsRefusedAndChangesNothing() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let manager = try await approvals.staff(.manager)
            let retired = try await approvals.staff(.analyst)
            try await approvals.disable(retired)
            let id = try await approvals.awaitingDecision()
            let stage = try await approvals.openStage(of: id)
            let before = try await approvals.outbox()

            #expect(try await reassign(approvals, stage, to: manager, as: analyst).status == 403, "analysts do not reassign")
            for unfit in [manager, retired] {
                let refusal = try #require(
                    try await approvals.operations.problem(
                        ApprovalsRPC.Reassign.self, .init(stageID: stage.id, assigneeID: unfit.userID), as: manager))
                #expect(refusal.status == 422 && refusal.errors?.map(\.field) == ["assignee_id"])
            }
            #expect(
                try await approvals.operations.call(
                    ApprovalsRPC.Reassign.self, .init(stageID: UUID(), assigneeID: analyst.userID), as: manager
                )
                .status == 404)
            #expect(try await approvals.openStage(of: id) == stage)
            #expect(try await approvals.outbox() == before)

            #expect(try await approvals.decide(id, .approve, by: analyst).status == 200)
            #expect(try await reassign(approvals, stage, to: analyst, as: manager).status == 409, "a decided stage stays decided")
        }
    }

    @Test func whoDecidedOneLevelIsNotGivenAnotherEvenAfterAPromotion() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let manager = try await approvals.staff(.manager)
            let id = try await approvals.awaitingDecision("60000.00")
            #expect(try await approvals.decide(id, .approve, by: analyst).status == 200)
            let second = try await approvals.openStage(of: id)
            #expect(second.role == .manager && second.assigneeID == manager.userID)

            let promoted = try await approvals.promote(analyst, to: .manager)
            let refusal = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.Reassign.self, .init(stageID: second.id, assigneeID: promoted.userID), as: approvals.admin))
            #expect(refusal.status == 422 && refusal.errors?.map(\.field) == ["assignee_id"])
            #expect(try await approvals.openStage(of: id).assigneeID == manager.userID)
            #expect(try await approvals.decide(id, .approve, by: promoted).status == 403)
        }
    }

    @Test func theClientSeesTheirOwnWorkflowAndStaffSeeEveryone() async throws {
        try await ApprovalsFixture.run { approvals in
            let analyst = try await approvals.staff(.analyst)
            let client = Principal.signedIn(as: .client)
            let id = try await approvals.submit(by: client)
            let pending = try await approvals.operations.ok(ApprovalsRPC.GetWorkflow.self, .init(id: id), as: client)
            #expect(pending.analysis == nil && pending.stages.isEmpty)
            try await approvals.analyse(id, risk: "0.4213", reasons: ["SHORT_HISTORY"])

            let own = try await approvals.operations.ok(ApprovalsRPC.GetWorkflow.self, .init(id: id), as: client)
            #expect(own.analysis?.riskScore == "0.4213" && own.analysis?.reasonCodes == ["SHORT_HISTORY"])
            #expect(own.stages.map(\.assigneeID) == [analyst.userID])
            let stranger = try await approvals.operations.problem(ApprovalsRPC.GetWorkflow.self, .init(id: id), as: .signedIn(as: .client))
            #expect(stranger?.status == 404)
            #expect(try await approvals.operations.ok(ApprovalsRPC.GetWorkflow.self, .init(id: id), as: analyst) == own)
        }
    }

    @Test func staffReadTheRiskScoresOfAnalysedApplicationsOnly() async throws {
        try await ApprovalsFixture.run { approvals in
            let analysed = try await approvals.awaitingDecision(risk: "0.1234")
            let waiting = try await approvals.submit()
            let answer = try await approvals.operations.ok(
                ApprovalsRPC.RiskScores.self, IDBatch(ids: [analysed, waiting, UUID()]), as: .signedIn(as: .analyst))
            #expect(answer.items == [.init(applicationID: analysed, riskScore: "0.1234")])
            #expect(
                try await approvals.operations.problem(ApprovalsRPC.RiskScores.self, IDBatch(ids: [analysed]), as: .signedIn(as: .client))?
                    .status == 403)
            let tooMany = IDBatch(ids: (0...IDBatch.maximumSize).map { _ in UUID() })
            #expect(
                try await approvals.operations.problem(ApprovalsRPC.RiskScores.self, tooMany, as: .signedIn(as: .analyst))?.status == 422)
        }
    }
}
