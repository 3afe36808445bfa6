import Foundation
import TestSupport
import Testing

/// A product's required documents bind the final approval; only a manager's waiver, with a
/// reason and in the audit log, lets an application through without one.
@Suite struct RequiredDocumentTests {
    let api: API
    let approvers: Approvers
    let documents: DocumentTests

    init() throws {
        api = try API()
        approvers = try Approvers()
        documents = try DocumentTests()
    }

    @Test func theFinalApprovalWaitsForEveryRequiredDocumentUnlessAManagerWaivesIt() async throws {
        let (id, client, _) = try await approvers.pending(requiredDocuments: ["govt_id", "income_proof"])
        let root = try await SuperAdmin.session.value.access

        let refused = try await approvers.decide(id, "approve", token: root)
        #expect(refused.status == 422, "\(refused.text)")
        #expect(Set(refused.fieldErrors) == ["documents.govt_id", "documents.income_proof"])
        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == "pending_approval")

        #expect(try await documents.upload(DocumentTests.pdf, type: "govt_id", to: id, token: client).status == 201)
        let stillRefused = try await approvers.decide(id, "approve", token: root)
        #expect(stillRefused.fieldErrors == ["documents.income_proof"])

        let analyst = try await approvers.member("analyst")
        let manager = try await approvers.member("manager")
        let waiver = ["document_type": "income_proof", "reason": "Pension paid into our own account; statement on file"]
        #expect(try await api.post("/api/v1/applications/\(id)/waivers", waiver, token: analyst.token).status == 403)
        #expect(try await api.post("/api/v1/applications/\(id)/waivers", waiver, token: client).status == 403)
        #expect(
            try await api.post(
                "/api/v1/applications/\(id)/waivers", ["document_type": "income_proof", "reason": " "], token: manager.token
            )
            .fieldErrors == ["reason"])
        #expect(
            try await api.post("/api/v1/applications/\(id)/waivers", ["document_type": "photo", "reason": "x"], token: manager.token)
                .fieldErrors == ["document_type"])  // not required by the product
        let waived = try await api.post("/api/v1/applications/\(id)/waivers", waiver, token: manager.token)
        #expect(waived.status == 201, "\(waived.text)")
        #expect(waived["waived_by"] == manager.id)
        #expect(try await api.post("/api/v1/applications/\(id)/waivers", waiver, token: manager.token).status == 409)

        let detail = try await api.get("/api/v1/applications/\(id)", token: client)
        #expect(detail.json["missing_documents"] as? [String] == [])
        #expect((detail.json["waivers"] as? [[String: Any]])?.first?["document_type"] as? String == "income_proof")

        let approved = try await approvers.decide(id, "approve", token: root)
        #expect(approved.status == 200, "\(approved.text)")
        #expect(approved["status"] == "approved")

        let audited = await eventually(timeout: .seconds(10)) {
            let page = try? await api.get("/api/v1/audit-log?action=document.waived&actor_id=\(manager.id)", token: root)
            let entry = (page?.json["items"] as? [[String: Any]])?.first
            return entry?["entity_id"] as? String == id
                && (entry?["details"] as? [String: Any])?["reason"] as? String == waiver["reason"]
        }
        #expect(audited, "the waiver is in the audit log with its reason")
    }

    @Test func onlyTheFinalLevelIsHeldBackByMissingDocuments() async throws {
        // 60,000 needs an analyst and then a manager: the analyst's approval only passes it on.
        let (id, client, _) = try await approvers.pending(
            amount: "60000.00", income: "20000.00", maxAmount: "100000.00", requiredDocuments: ["govt_id"])
        let analyst = try await approvers.member("analyst")
        _ = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        let first = try await approvers.decide(id, "approve", token: analyst.token)
        #expect(first.status == 200, "\(first.text)")
        #expect(first["status"] == "pending_approval")
        let root = try await SuperAdmin.session.value.access
        #expect(try await approvers.decide(id, "approve", token: root).fieldErrors == ["documents.govt_id"])
    }
}
