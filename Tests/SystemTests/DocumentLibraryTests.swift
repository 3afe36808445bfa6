import Foundation
import TestSupport
import Testing

/// The customer's document library: KYC documents kept once, attached to applications, read by
/// staff on the customer's file.
@Suite struct DocumentLibraryTests {
    let api: API
    let approvers: Approvers
    let documents: DocumentTests

    init() throws {
        api = try API()
        approvers = try Approvers()
        documents = try DocumentTests()
    }

    /// Uploads `bytes` into the caller's library.
    private func keep(_ bytes: [UInt8], type: String, token: String) async throws -> API.Reply {
        let boundary = "lib-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\n\(type)\r\n".utf8)
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"card.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                    .utf8))
        body.append(contentsOf: bytes)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await api.sendBytes(
            .POST, "/api/v1/me/documents", body: Array(body), contentType: "multipart/form-data; boundary=\(boundary)", token: token)
    }

    @Test func aClientKeepsADocumentOnceAndAttachesItToAnApplication() async throws {
        let (id, client, _) = try await approvers.pending(requiredDocuments: ["pan_card"])
        let kept = try await keep(DocumentTests.pdf, type: "pan_card", token: client)
        #expect(kept.status == 201, "\(kept.text)")
        #expect(kept["document_type"] == "pan_card")
        let documentID = try #require(kept["id"])
        #expect(try await keep(Array("plain text".utf8), type: "pan_card", token: client).status == 415)

        let mine = try await api.get("/api/v1/me/documents", token: client)
        #expect((mine.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [documentID])
        let file = try await api.get("/api/v1/me/documents/\(documentID)", token: client)
        #expect(file.status == 200)
        #expect(file.body == DocumentTests.pdf)
        let stranger = try await approvers.applications.applicant()
        #expect(try await api.get("/api/v1/me/documents/\(documentID)", token: stranger).status == 404)
        #expect(
            try await api.post("/api/v1/applications/\(id)/documents", ["library_document_id": documentID], token: stranger).status == 404)

        let attached = try await api.post("/api/v1/applications/\(id)/documents", ["library_document_id": documentID], token: client)
        #expect(attached.status == 201, "\(attached.text)")
        let detail = try await api.get("/api/v1/applications/\(id)", token: client)
        #expect(detail.json["missing_documents"] as? [String] == [])
        let onApplication = try #require(attached["id"])

        // Staff read the library on the customer's file.
        let customer = try #require(try await api.get("/api/v1/auth/me", token: client)["id"])
        let analyst = try await approvers.member("analyst")
        let library = try await api.get("/api/v1/customers/\(customer)/documents", token: analyst.token)
        #expect(library.json["total"] as? Int == 1)
        #expect(try await api.get("/api/v1/customers/\(customer)/documents/\(documentID)", token: analyst.token).body == DocumentTests.pdf)
        #expect(try await api.get("/api/v1/customers/\(customer)/documents", token: stranger).status == 403)

        // Deleted from the library, it stays on the application it was attached to.
        #expect(try await api.send(.DELETE, "/api/v1/me/documents/\(documentID)", token: client).status == 204)
        #expect(try await api.get("/api/v1/me/documents/\(documentID)", token: client).status == 404)
        #expect(try await api.get("/api/v1/applications/\(id)/documents/\(onApplication)", token: client).body == DocumentTests.pdf)
        #expect(try await api.send(.DELETE, "/api/v1/me/documents/\(documentID)", token: client).status == 404)
    }

    @Test func theSyncFeedFollowsTheLibraryIncludingDeletions() async throws {
        let client = try await approvers.applications.applicant()
        let kept = try await keep(DocumentTests.pdf, type: "govt_id", token: client)
        let documentID = try #require(kept["id"])
        let first = try await api.get("/api/v1/sync/changes", token: client)
        #expect(
            (first.json["changes"] as? [[String: Any]])?.contains {
                $0["entity"] as? String == "document" && $0["id"] as? String == documentID
            } == true)
        #expect(try await api.send(.DELETE, "/api/v1/me/documents/\(documentID)", token: client).status == 204)
        let after = try await api.get("/api/v1/sync/changes?since=\(try #require(first["cursor"]))", token: client)
        let gone = (after.json["changes"] as? [[String: Any]])?.first { $0["id"] as? String == documentID }
        #expect(gone?["op"] as? String == "delete", "\(after.text)")
        #expect(gone?["data"] is NSNull)
    }
}
