import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Approvals

/// `PolicyOperations` on a database of its own: reading and saving the approval policy, and what
/// a saved policy changes for the next request.
@Suite struct PolicyOperationsTests {
    /// Up to 5,000 an analyst alone; above, an analyst then a manager; declined from a risk of 0.5.
    private var stricter: ApprovalPolicy {
        ApprovalPolicy(
            stages: [.init(maxAmount: Money("5000.00"), roles: [.analyst]), .init(maxAmount: nil, roles: [.analyst, .manager])],
            slaHours: ["analyst": 8, "manager": 12], autoDeclineRisk: "0.5")
    }

    @Test func theStandardPolicyIsInForceUntilAnAdministratorSavesOne() async throws {
        try await ApprovalsFixture.run { approvals in
            let policy = try await approvals.operations.ok(ApprovalsRPC.GetPolicy.self, Empty(), as: approvals.admin)
            #expect(policy.version == 1)
            #expect(policy.stages == PolicyRules.standard.stages && policy.autoDeclineRisk == "0.75")
            for role in [Role.client, .analyst, .manager, .director] {
                #expect(
                    try await approvals.operations.problem(ApprovalsRPC.GetPolicy.self, Empty(), as: .signedIn(as: role))?.status == 403)
            }
            #expect(try await approvals.operations.ok(ApprovalsRPC.GetPolicy.self, Empty(), as: .signedIn(as: .superAdmin)).version == 1)
        }
    }

    @Test func aSavedPolicyHasTheNextVersionIsPublishedAndShapesTheNextRequest() async throws {
        try await ApprovalsFixture.run { approvals in
            _ = try await approvals.staff(.analyst)
            let manager = try await approvals.staff(.manager)
            let saved = try await approvals.operations.ok(
                ApprovalsRPC.PutPolicy.self, .init(policy: stricter, expectedVersion: 1), as: approvals.admin)
            #expect(saved.version == 2 && saved.stages == stricter.stages && saved.slaHours == stricter.slaHours)
            #expect(try await approvals.operations.ok(ApprovalsRPC.GetPolicy.self, Empty(), as: approvals.admin) == saved)
            let event = try #require(try await approvals.published(ApprovalsEvents.PolicyUpdated.self).first?.event)
            #expect(event.version == 2 && event.actorID == approvals.admin.userID && event.actorRole == .admin)

            // 6,000 now needs a manager too, with the policy's SLA; a risk of 0.6 is declined.
            let id = try await approvals.awaitingDecision("6000.00")
            let stages = try await approvals.stages(of: id)
            #expect(stages.map(\.role) == [.analyst, .manager])
            let due = try #require(stages.first?.dueAt)
            #expect(abs(due.timeIntervalSinceNow - 8 * 3600) < 60, "the analyst's 8 hours")
            let risky = try await approvals.awaitingDecision("6000.00", risk: "0.6000")
            #expect(try await approvals.stages(of: risky).isEmpty)
            #expect(try await approvals.published(ApprovalsEvents.Rejected.self).map(\.event.applicationID) == [risky])
            #expect(
                try await approvals.operations.ok(
                    ApprovalsRPC.ListTasks.self,
                    .init(
                        page: PageRequest(), assignee: nil, status: nil, role: nil, applicationID: nil, overdue: nil), as: manager
                ).total == 0,
                "the manager's level waits for the analyst's")
        }
    }

    @Test func aSaveOverAVersionSomeoneElseReplacedIsRefusedWithThePolicyInForce() async throws {
        try await ApprovalsFixture.run { approvals in
            let first = try await approvals.operations.ok(
                ApprovalsRPC.PutPolicy.self, .init(policy: stricter, expectedVersion: 1), as: approvals.admin)
            var mine = PolicyRules.standard
            mine.autoDeclineRisk = "0.7"
            let stale = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.PutPolicy.self, .init(policy: mine, expectedVersion: 1), as: .signedIn(as: .superAdmin)))
            #expect(stale.status == 412)
            #expect(stale.current?["version"] == .integer(2))
            #expect(try await approvals.operations.ok(ApprovalsRPC.GetPolicy.self, Empty(), as: approvals.admin) == first)
            #expect(try await approvals.published(ApprovalsEvents.PolicyUpdated.self).count == 1)
            // Without a version it overwrites whatever is in force.
            let last = try await approvals.operations.ok(
                ApprovalsRPC.PutPolicy.self, .init(policy: mine, expectedVersion: nil), as: approvals.admin)
            #expect(last.version == 3 && last.autoDeclineRisk == "0.7")
        }
    }

    @Test func anInvalidPolicyOrANonAdministratorChangesNothing() async throws {
        try await ApprovalsFixture.run { approvals in
            var invalid = stricter
            invalid.autoDeclineRisk = "0.9"
            invalid.stages[0].roles = [.admin]
            let refusal = try #require(
                try await approvals.operations.problem(
                    ApprovalsRPC.PutPolicy.self, .init(policy: invalid, expectedVersion: 1), as: approvals.admin))
            #expect(refusal.status == 422)
            #expect(Set(refusal.errors?.map(\.field) ?? []) == ["auto_decline_risk", "stages[0].roles", "sla_hours.admin"])
            let director = try await approvals.operations.problem(
                ApprovalsRPC.PutPolicy.self, .init(policy: stricter, expectedVersion: 1), as: .signedIn(as: .director))
            #expect(director?.status == 403)
            #expect(try await approvals.operations.ok(ApprovalsRPC.GetPolicy.self, Empty(), as: approvals.admin).version == 1)
            #expect(try await approvals.database.count("policy") == 0)
            #expect(try await approvals.outbox().isEmpty)
        }
    }
}
