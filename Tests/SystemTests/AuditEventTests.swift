import Foundation
import TestSupport
import Testing

/// Security events and staff actions reach the append-only event store in `analytics`, which the
/// audit log is built from.
@Suite struct AuditEventTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    /// Whether the event store holds an event of `type` about `userID` (and of `kind`, by `actor`, if given).
    private func recorded(_ type: String, userID: String, kind: String? = nil, actor: String? = nil) async throws -> Bool {
        var extra: [String: String] = [:]
        extra["kind"] = kind
        extra["actor_id"] = actor  // both come from the same JSON encoder, so they compare exactly
        return try await EventStoreProbe.count(type, where: "user_id", is: userID, and: extra) > 0
    }

    @Test func failedSignInsAndLockoutsAreRecorded() async throws {
        let email = try await accounts.activeClient()
        let me = try await api.get("/api/v1/auth/me", token: try await accounts.login(email).access)
        let userID = try #require(me["id"])
        for _ in 0..<5 { _ = try await api.post("/api/v1/auth/login", ["email": email, "password": "not the password"]) }
        #expect(try await recorded("auth.security.v1", userID: userID, kind: "login_failed"))
        #expect(try await recorded("auth.security.v1", userID: userID, kind: "account_locked"))
        #expect(try await recorded("auth.user.registered.v1", userID: userID))
    }

    @Test func staffActionsNameTheirActor() async throws {
        let root = try await SuperAdmin.session.value.access
        let rootID = try #require(try await api.get("/api/v1/auth/me", token: root)["id"])
        let created = try await api.post(
            "/api/v1/users",
            ["email": "audit-\(UUID().uuidString.prefix(8).lowercased())@staff.example", "password": accounts.password,
             "full_name": "Audited", "role": "analyst"], token: root)
        let userID = try #require(created["id"])
        #expect(try await api.patch("/api/v1/users/\(userID)", ["role": "director"], token: root).status == 200)
        #expect(try await recorded("auth.user.created.v1", userID: userID, actor: rootID))
        #expect(try await recorded("auth.user.updated.v1", userID: userID, actor: rootID))
    }
}
