import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// Whole applications through the gateway: submission, analysis by the worker pool, the approval
/// chain the policy builds, and the decisions of real staff.
@Suite struct CreditPipelineTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    @Test func aSmallApplicationIsAnalysedAndApprovedByOneAnalyst() async throws {
        let analyst = try await approvers.member("analyst")
        let (id, client, pending) = try await approvers.pending()
        // Assigned to an active analyst as soon as the chain exists (with at least this one known).
        var detail = pending
        #expect(
            await eventually {
                detail = (try? await api.get("/api/v1/applications/\(id)", token: client)) ?? detail
                return Approvers.stages(detail).first?["assignee_id"] as? String != nil
            })
        let analysis = try #require(detail.json["analysis"] as? [String: Any], "\(detail.text)")
        let score = try #require(analysis["score"] as? Int)
        #expect((300...900).contains(score))
        let risk = try #require((analysis["risk_score"] as? String).flatMap(Double.init))
        #expect(risk < 0.75)
        #expect(analysis["reason_codes"] is [String])
        #expect(analysis["dti"] as? String != nil)

        let stages = Approvers.stages(detail)
        #expect(stages.count == 1)
        let stage = try #require(stages.first)
        #expect(stage["level"] as? Int == 1)
        #expect(stage["role"] as? String == "analyst")
        #expect(stage["status"] as? String == "open")
        #expect(stage["due_at"] as? String != nil)
        let root = try await SuperAdmin.session.value.access
        let assignee = try #require(stage["assignee_id"] as? String)
        #expect(try await activeAnalysts(token: root).contains(assignee))
        if assignee != analyst.id {
            #expect(try await approvers.decide(id, "approve", token: analyst.token).status == 403)
        }
        #expect(try await approvers.decide(id, "approve", token: client).status == 403)
        let reassigned = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        #expect(reassigned["assignee_id"] as? String == analyst.id)
        let mine = try await api.get("/api/v1/approvals/tasks?status=open", token: analyst.token)
        #expect((mine.json["items"] as? [[String: Any]])?.contains { $0["application_id"] as? String == id } == true)
        #expect(mine.headers.first(name: "X-Total-Count").flatMap(Int.init) ?? 0 >= 1)

        let approved = try await approvers.decide(id, "approve", token: analyst.token)
        #expect(approved.status == 200, "\(approved.text)")
        #expect(approved["status"] == "approved")
        let decided = try #require(Approvers.stages(approved).first)
        #expect(decided["status"] as? String == "decided")
        #expect(decided["decision"] as? String == "approve")
        #expect(decided["decided_by"] as? String == analyst.id)
        let timeline = (approved.json["timeline"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
        #expect(timeline == ["submitted", "under_analysis", "pending_approval", "approved"])
        #expect(try await approvers.decide(id, "approve", token: analyst.token).status == 409)
        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == "approved")
        #expect(try await EventStoreProbe.count("approvals.application.approved.v1", where: "application_id", is: id) == 1)
    }

    @Test func aLargeApplicationClimbsThreeLevelsAndNobodyDecidesTwo() async throws {
        let (id, client, detail) = try await approvers.pending(amount: "150000.00", term: 60, income: "30000.00", maxAmount: "200000.00")
        let stages = Approvers.stages(detail)
        #expect(stages.map { $0["role"] as? String } == ["analyst", "manager", "director"])
        #expect(stages.map { $0["status"] as? String } == ["open", "waiting", "waiting"])
        let root = try await SuperAdmin.session.value.access

        let analyst = try await approvers.member("analyst")
        _ = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        let first = try await approvers.decide(id, "approve", comment: "Income verified", token: analyst.token)
        #expect(first.status == 200, "\(first.text)")
        #expect(first["status"] == "pending_approval")
        #expect(Approvers.stages(first).map { $0["status"] as? String } == ["decided", "open", "waiting"])

        // A manager-level stage cannot go to an analyst, and the analyst may not decide it.
        let managerStage = try #require(Approvers.stages(first)[1]["id"] as? String)
        #expect(
            try await api.post("/api/v1/approvals/tasks/\(managerStage)/reassign", ["assignee_id": analyst.id], token: root).status == 422)
        #expect(try await approvers.decide(id, "approve", token: analyst.token).status == 403)

        let manager = try await approvers.member("manager")
        _ = try await approvers.reassignOpenStage(of: id, to: manager.id, seenBy: client)
        let second = try await approvers.decide(id, "approve", token: manager.token)
        #expect(second.status == 200, "\(second.text)")
        #expect(Approvers.stages(second).map { $0["status"] as? String } == ["decided", "decided", "open"])

        // Maker-checker: the manager may not decide the director's level, even once handed it by
        // role (refused) or as an overriding admin would.
        #expect(try await approvers.decide(id, "approve", token: manager.token).status == 403)
        let director = try await approvers.member("director")
        _ = try await approvers.reassignOpenStage(of: id, to: director.id, seenBy: client)
        let last = try await approvers.decide(id, "approve", token: director.token)
        #expect(last.status == 200, "\(last.text)")
        #expect(last["status"] == "approved")
        #expect(Approvers.stages(last).compactMap { $0["decided_by"] as? String } == [analyst.id, manager.id, director.id])
    }

    @Test func anOverridingAdminStillDecidesOnlyOneLevel() async throws {
        let (id, client, _) = try await approvers.pending(amount: "60000.00", term: 60, income: "20000.00", maxAmount: "200000.00")
        let root = try await SuperAdmin.session.value.access
        let first = try await approvers.decide(id, "approve", token: root)
        #expect(first.status == 200, "\(first.text)")
        #expect(Approvers.stages(first).map { $0["role"] as? String } == ["analyst", "manager"])
        let refused = try await approvers.decide(id, "approve", token: root)
        #expect(refused.status == 403)
        #expect(refused.problemType?.hasSuffix("maker-checker") == true)
        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == "pending_approval")
    }

    @Test func aRiskyApplicationIsDeclinedByPolicyAndCanNeverBeApproved() async throws {
        // 40,000 over 12 months on 6,000 a month: the instalment alone is well over 60 % of income.
        let product = try await approvers.applications.product()
        let client = try await approvers.applications.applicant()
        let submitted = try await approvers.applications.apply(client, product: product, amount: "40000.00", term: 12)
        let id = try #require(submitted["id"])
        let rejected = try #require(try await approvers.status(of: id, token: client, becomes: "rejected"))
        let analysis = try #require(rejected.json["analysis"] as? [String: Any])
        #expect(((analysis["risk_score"] as? String).flatMap(Double.init) ?? 0) >= 0.75)
        #expect((analysis["reason_codes"] as? [String])?.contains("DTI_TOO_HIGH") == true)
        #expect(Approvers.stages(rejected).isEmpty)
        let timeline = (rejected.json["timeline"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
        #expect(timeline == ["submitted", "under_analysis", "rejected"])
        let root = try await SuperAdmin.session.value.access
        let approve = try await approvers.decide(id, "approve", token: root)
        #expect(approve.status == 422)
        #expect(approve.problemType?.hasSuffix("risk-too-high") == true)
    }

    @Test func ofConcurrentDecisionsOnOneStageExactlyOneWins() async throws {
        let (id, client, _) = try await approvers.pending()
        let analyst = try await approvers.member("analyst")
        _ = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        let root = try await SuperAdmin.session.value.access
        let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for index in 0..<6 {
                let (decision, token) = index.isMultiple(of: 2) ? ("approve", analyst.token) : ("reject", root)
                group.addTask { (decision, try await approvers.decide(id, decision, token: token).status) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = statuses.filter { $0.1 == 200 }
        #expect(winners.count == 1, "\(statuses)")
        #expect(statuses.allSatisfy { [200, 403, 409].contains($0.1) }, "\(statuses)")
        let expected = winners.first?.0 == "approve" ? "approved" : "rejected"
        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == expected)
    }

    @Test func askingForDocumentsParksTheStageUntilTheClientUploads() async throws {
        let (id, client, _) = try await approvers.pending()
        let analyst = try await approvers.member("analyst")
        _ = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        #expect(try await approvers.decide(id, "request_documents", token: analyst.token).status == 422)  // which documents?
        let parked = try await approvers.decide(id, "request_documents", documents: ["bank_statement"], token: analyst.token)
        #expect(parked.status == 200, "\(parked.text)")
        #expect(parked["status"] == "documents_requested")
        #expect(parked.json["requested_documents"] as? [String] == ["bank_statement"])
        #expect(Approvers.stages(parked).first?["awaiting_documents"] as? Bool == true)
        #expect(try await approvers.decide(id, "approve", token: analyst.token).status == 409)

        let uploaded = try await DocumentTests().upload(DocumentTests.pdf, type: "bank_statement", to: id, token: client)
        #expect(uploaded.status == 201)
        #expect(
            await eventually {
                let detail = try? await api.get("/api/v1/applications/\(id)", token: client)
                let stage = detail.flatMap { Approvers.stages($0).first }
                return detail?["status"] == "pending_approval" && stage?["awaiting_documents"] as? Bool == false
                    && stage?["assignee_id"] as? String == analyst.id
            })
        let approved = try await approvers.decide(id, "approve", token: analyst.token)
        #expect(approved["status"] == "approved", "\(approved.text)")
        let timeline = (approved.json["timeline"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
        #expect(timeline == ["submitted", "under_analysis", "pending_approval", "documents_requested", "pending_approval", "approved"])
    }

    @Test func aStagePastItsSLAGoesToAnotherApproverAndIsReported() async throws {
        let (id, client, _) = try await approvers.pending()
        let slow = try await approvers.member("analyst")
        _ = try await approvers.member("analyst")  // someone free to take it over
        let stage = try await approvers.reassignOpenStage(of: id, to: slow.id, seenBy: client)
        let stageID = try #require(stage["id"] as? String)
        // Time passes: the stage's due time moves into the past.
        try await Self.backdate(stage: stageID)
        #expect(
            try await EventStoreProbe.count(
                "approvals.stage.sla_breached.v1", where: "stage_id", is: stageID, and: ["escalated_to": "manager"]) == 1)
        let detail = try await api.get("/api/v1/applications/\(id)", token: client)
        let escalated = try #require(Approvers.stages(detail).first)
        #expect(escalated["assignee_id"] as? String != slow.id)
        #expect(escalated["overdue"] as? Bool == false)  // a new due time with the new approver
        #expect(try await api.get("/api/v1/approvals/tasks?application_id=\(id)", token: slow.token).json["total"] as? Int == 0)
    }

    @Test func aWithdrawalCancelsTheRemainingStages() async throws {
        let (id, client, _) = try await approvers.pending()
        #expect(try await api.send(.POST, "/api/v1/applications/\(id)/withdraw", token: client).status == 200)
        let root = try await SuperAdmin.session.value.access
        #expect(
            await eventually {
                let tasks = try? await api.get("/api/v1/approvals/tasks?assignee=any&application_id=\(id)", token: root)
                return (tasks?.json["items"] as? [[String: Any]])?.map { $0["status"] as? String } == ["cancelled"]
            })
        #expect(try await approvers.decide(id, "approve", token: root).status == 409)
    }

    @Test func taskListsShowOnlyWhatARoleMaySee() async throws {
        let (id, _, _) = try await approvers.pending()
        let analyst = try await approvers.member("analyst")
        #expect(try await api.get("/api/v1/approvals/tasks?assignee=any", token: analyst.token).status == 403)
        #expect(try await api.get("/api/v1/approvals/tasks?status=sideways", token: analyst.token).status == 422)
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        #expect(try await api.get("/api/v1/approvals/tasks", token: client).status == 403)
        let root = try await SuperAdmin.session.value.access
        let all = try await api.get("/api/v1/approvals/tasks?assignee=any&application_id=\(id)&status=open&overdue=false", token: root)
        #expect(all.status == 200)
        #expect((all.json["items"] as? [[String: Any]])?.count == 1)
    }

    @Test func thePolicyIsValidatedAndVersioned() async throws {
        let root = try await SuperAdmin.session.value.access
        let analyst = try await approvers.member("analyst")
        #expect(try await api.get("/api/v1/approvals/policy", token: analyst.token).status == 403)
        let current = try await api.get("/api/v1/approvals/policy", token: root)
        #expect(current.status == 200)
        let tiers = try #require(current.json["stages"] as? [[String: Any]])
        #expect(
            tiers.map { $0["roles"] as? [String] ?? [] } == [["analyst"], ["analyst", "manager"], ["analyst", "manager", "director"]])
        #expect(current["auto_decline_risk"] == "0.75")
        let etag = try #require(current.headers.first(name: "ETag"))

        var invalid = current.json
        invalid["auto_decline_risk"] = "0.90"
        invalid["stages"] = [["max_amount": NSNull(), "roles": ["analyst"]], ["max_amount": "5000.00", "roles": ["client"]]]
        let refused = try await api.send(.PUT, "/api/v1/approvals/policy", body: Self.text(invalid), token: root)
        #expect(refused.status == 422)
        #expect(
            Set(refused.fieldErrors).isSuperset(of: [
                "auto_decline_risk", "stages[0].max_amount", "stages[1].max_amount", "stages[1].roles",
            ]))

        // Saving the same policy again (other tests run under it) moves its version on.
        var same = current.json
        same["version"] = nil
        same["updated_at"] = nil
        let saved = try await api.send(.PUT, "/api/v1/approvals/policy", body: Self.text(same), token: root, headers: [("If-Match", etag)])
        #expect(saved.status == 200, "\(saved.text)")
        #expect(saved.json["version"] as? Int == (current.json["version"] as? Int ?? 0) + 1)
        let stale = try await api.send(.PUT, "/api/v1/approvals/policy", body: Self.text(same), token: root, headers: [("If-Match", etag)])
        #expect(stale.status == 412)
    }

    /// Every active analyst's id, as `auth` lists them.
    private func activeAnalysts(token: String) async throws -> Set<String> {
        Set(try await api.allItems("/api/v1/users?role=analyst&status=active", token: token).compactMap { $0["id"] as? String })
    }

    private static func text(_ json: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
    }

    /// Moves a stage's due time an hour into the past, as if its SLA had run out.
    static func backdate(stage id: String) async throws {
        let logger = Logger(label: "test.approvals")
        let client = PostgresClient(configuration: try .init(url: TestEnvironment.require("DATABASE_URL")), backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        let stage = try #require(UUID(uuidString: id))
        try await client.query("UPDATE approvals.stages SET due_at = now() - interval '1 hour' WHERE id = \(stage)", logger: logger)
    }
}
