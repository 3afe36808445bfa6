import Foundation
import TestSupport
import Testing

/// Customer files run by staff: a walk-in client's account and file opened at the branch, the
/// client's first sign-in through the emailed invitation, and audited corrections.
@Suite struct CustomerFileTests {
    let api: API
    let accounts: Accounts
    let approvers: Approvers

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
        approvers = try Approvers()
    }

    private func walkIn(_ email: String, token: String, idempotencyKey: String? = nil) async throws -> API.Reply {
        let body: [String: Any] = [
            "email": email, "full_name": "Walk-in Client", "phone": "+14155550188", "profile": CustomerTests.profile,
            "financial": ["monthly_income": "4100.00", "monthly_expenses": "1500.00", "existing_monthly_debt": "0.00"],
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await api.send(
            .POST, "/api/v1/customers", body: text, token: token, headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
    }

    @Test func anAdminOpensAWalkInClientsFileAndTheClientSetsAPasswordFromTheInvite() async throws {
        let admin = try await approvers.member("admin")
        let email = "walk-in-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        let key = UUID().uuidString
        let opened = try await walkIn(email, token: admin.token, idempotencyKey: key)
        #expect(opened.status == 201, "\(opened.text)")
        #expect(opened["status"] == "invited")
        #expect(opened["email"] == email)
        #expect(opened.json["profile"].flatMap { ($0 as? [String: Any])?["full_name"] as? String } == "Grace Hopper")
        let id = try #require(opened["id"])
        // A retry with the same key is the same file, not a second account.
        let retried = try await walkIn(email, token: admin.token, idempotencyKey: key)
        #expect(retried.status == 201)
        #expect(retried["id"] == id)
        #expect(try await walkIn(email, token: admin.token).status == 409)

        // Until the invitation is accepted nobody can sign in: the account has no password anyone knows.
        #expect(try await api.post("/api/v1/auth/login", ["email": email, "password": accounts.password]).status == 401)
        let code = try await Mail.code(sentTo: email)
        let wrong = code == "000000" ? "111111" : "000000"
        #expect(
            try await api.post("/api/v1/auth/accept-invite", ["email": email, "code": wrong, "password": accounts.password]).status == 400)
        #expect(try await api.post("/api/v1/auth/accept-invite", ["email": email, "code": code, "password": "short"]).status == 422)
        let accepted = try await api.post("/api/v1/auth/accept-invite", ["email": email, "code": code, "password": accounts.password])
        #expect(accepted.status == 200, "\(accepted.text)")
        #expect(accepted["status"] == "active")
        #expect(
            try await api.post("/api/v1/auth/accept-invite", ["email": email, "code": code, "password": accounts.password]).status == 400)

        let client = try await accounts.login(email).access
        let me = try await api.get("/api/v1/auth/me", token: client)
        #expect(me["id"] == id)
        #expect(me["role"] == "client")
        #expect(try await api.get("/api/v1/me/financial", token: client)["monthly_income"] == "4100.00")
    }

    @Test func onlyAdministratorsOpenFilesAndBadSectionsCreateNoAccount() async throws {
        let analyst = try await approvers.member("analyst")
        let email = "walk-in-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        #expect(try await walkIn(email, token: analyst.token).status == 403)
        let client = try await accounts.login(try await accounts.activeClient()).access
        #expect(try await walkIn(email, token: client).status == 403)

        let admin = try await approvers.member("admin")
        var minor = CustomerTests.profile
        minor["date_of_birth"] = CalendarDateText.yearsAgo(17)
        let body: [String: Any] = ["email": email, "full_name": "Too Young", "profile": minor]
        let refused = try await api.post("/api/v1/customers", body, token: admin.token)
        #expect(refused.status == 422)
        #expect(refused.text.contains("profile.date_of_birth"), "\(refused.text)")
        // Nothing was created: the same email opens a file once the details are right.
        #expect(try await walkIn(email, token: admin.token).status == 201)
    }

    @Test func correctionsHonourIfMatchAndGoIntoTheAuditLogWithBothVersions() async throws {
        let admin = try await approvers.member("admin")
        let email = "walk-in-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        let opened = try await walkIn(email, token: admin.token)
        let id = try #require(opened["id"])
        let version = try #require(opened.json["version"] as? Int)

        var moved = CustomerTests.profile
        moved["address"] = "2 Harbour Road, Annapolis"
        let patch = String(decoding: try JSONSerialization.data(withJSONObject: ["profile": moved]), as: UTF8.self)
        let corrected = try await api.send(
            .PATCH, "/api/v1/customers/\(id)", body: patch, token: admin.token, headers: [("If-Match", "\"\(version)\"")])
        #expect(corrected.status == 200, "\(corrected.text)")
        #expect((corrected.json["profile"] as? [String: Any])?["address"] as? String == "2 Harbour Road, Annapolis")
        #expect(corrected.json["financial"] is [String: Any], "sections left out stay as they were")
        let etag = try #require(corrected.headers["ETag"].first)
        #expect(etag == "\"\(version + 1)\"")

        // The old version is stale: the answer carries the file as it is now.
        let stale = try await api.send(
            .PATCH, "/api/v1/customers/\(id)", body: patch, token: admin.token, headers: [("If-Match", "\"\(version)\"")])
        #expect(stale.status == 412)
        #expect((stale.json["current"] as? [String: Any])?["version"] as? Int == version + 1)
        #expect(try await api.send(.PATCH, "/api/v1/customers/\(UUID().uuidString)", body: patch, token: admin.token).status == 404)
        let analyst = try await approvers.member("analyst")
        #expect(try await api.send(.PATCH, "/api/v1/customers/\(id)", body: patch, token: analyst.token).status == 403)

        let root = try await SuperAdmin.session.value.access
        var entry: [String: Any]?
        let audited = await eventually(timeout: .seconds(10)) {
            let page = try? await api.get("/api/v1/audit-log?action=customer.corrected&actor_id=\(admin.id)", token: root)
            entry = (page?.json["items"] as? [[String: Any]])?.first
            return entry?["entity_id"] as? String == id
        }
        #expect(audited, "the correction is in the audit log")
        let details = entry?["details"] as? [String: Any]
        #expect((details?["before"] as? String)?.contains("1 Navy Way") == true, "\(String(describing: details))")
        #expect((details?["after"] as? String)?.contains("2 Harbour Road") == true, "\(String(describing: details))")
    }
}
