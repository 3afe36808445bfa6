import Contracts
import Crypto
import Foundation
import TestSupport
import Testing

/// Document uploads: streamed into the blob store, typed by content, limited in size, readable by
/// the applicant and staff only.
@Suite struct DocumentTests {
    let api: API
    let applications: ApplicationTests

    init() throws {
        api = try API()
        applications = try ApplicationTests()
    }

    static let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n".utf8)
    static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
        + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    func upload(
        _ bytes: [UInt8], type: String? = "govt_id", filename: String = "passport.pdf", declared: String = "application/pdf",
        to application: String, token: String
    ) async throws -> API.Reply {
        let boundary = "test-\(UUID().uuidString)"
        var body = Data()
        if let type {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\n\(type)\r\n".utf8))
        }
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(declared)\r\n\r\n"
                    .utf8))
        body.append(contentsOf: bytes)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await api.sendBytes(
            .POST, "/api/v1/applications/\(application)/documents", body: Array(body),
            contentType: "multipart/form-data; boundary=\(boundary)", token: token)
    }

    @Test func anApplicantUploadsAndBothTheyAndStaffCanReadIt() async throws {
        let product = try await applications.product(requiredDocuments: ["govt_id", "income_proof"])
        let client = try await applications.applicant()
        let id = try #require(try await applications.apply(client, product: product)["id"])

        let uploaded = try await upload(Self.pdf, filename: "../../etc/passport.pdf", to: id, token: client)
        #expect(uploaded.status == 201, "\(uploaded.text)")
        #expect(uploaded["content_type"] == "application/pdf")
        #expect(uploaded["filename"] == "passport.pdf")
        #expect(uploaded.json["size"] as? Int == Self.pdf.count)
        #expect(uploaded["sha256"] == SHA256.hash(data: Data(Self.pdf)).map { String(format: "%02x", $0) }.joined())
        let documentID = try #require(uploaded["id"])

        // A PNG declared as a PDF is stored as what it is.
        let image = try await upload(Self.png, type: "photo", filename: "me.pdf", to: id, token: client)
        #expect(image["content_type"] == "image/png")

        let detail = try await api.get("/api/v1/applications/\(id)", token: client)
        #expect((detail.json["documents"] as? [[String: Any]])?.count == 2)
        #expect(detail.json["missing_documents"] as? [String] == ["income_proof"])

        let mine = try await api.get("/api/v1/applications/\(id)/documents/\(documentID)", token: client)
        #expect(mine.status == 200)
        #expect(mine.body == Self.pdf)
        #expect(mine.headers["Content-Type"].first == "application/pdf")
        let root = try await SuperAdmin.session.value.access
        #expect(try await api.get("/api/v1/applications/\(id)/documents/\(documentID)", token: root).body == Self.pdf)
        let other = try await applications.applicant()
        #expect(try await api.get("/api/v1/applications/\(id)/documents/\(documentID)", token: other).status == 404)
        #expect(try await upload(Self.pdf, to: id, token: other).status == 404)
    }

    @Test func badUploadsAreRefused() async throws {
        let product = try await applications.product()
        let client = try await applications.applicant()
        let id = try #require(try await applications.apply(client, product: product)["id"])
        let text = try await upload(Array("just some text, named like a PDF".utf8), to: id, token: client)
        #expect(text.status == 415)
        let huge = try await upload(Self.pdf + Array(repeating: 0x20, count: 10 * 1024 * 1024), to: id, token: client)
        #expect(huge.status == 413)
        // An executable renamed to .pdf, and a PDF cut short, are not PDFs.
        let elf = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 120)
        #expect(try await upload(elf, filename: "statement.pdf", to: id, token: client).status == 415)
        #expect(try await upload(Array(Self.pdf.prefix(20)), to: id, token: client).status == 415)
        let untyped = try await upload(Self.pdf, type: nil, to: id, token: client)
        #expect(untyped.status == 422)
        #expect(untyped.fieldErrors == ["document_type"])
        let unknownType = try await upload(Self.pdf, type: "selfie", to: id, token: client)
        #expect(unknownType.fieldErrors == ["document_type"])
        let rule = (unknownType.json["errors"] as? [[String: Any]])?.first?["message"] as? String ?? ""
        #expect(rule.contains("pan_card") && rule.contains("govt_id"), "the message lists every type: \(rule)")
        let notMultipart = try await api.send(
            .POST, "/api/v1/applications/\(id)/documents", body: "a file", contentType: "text/plain", token: client)
        #expect(notMultipart.status == 400)
        // JSON attaches from the library, and must name the document.
        let noDocument = try await api.send(.POST, "/api/v1/applications/\(id)/documents", body: "{}", token: client)
        #expect(noDocument.fieldErrors == ["library_document_id"])
        #expect(try await api.get("/api/v1/applications/\(id)", token: client).json["documents"] as? [Any] != nil)
        #expect((try await api.get("/api/v1/applications/\(id)", token: client).json["documents"] as? [Any])?.isEmpty == true)
    }
}
