import Foundation
import Logging
import PostgresNIO
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

    /// Whether the event store holds an event of `type` about `userID` (and of `kind`, if given).
    private func recorded(_ type: String, userID: String, kind: String? = nil, actor: String? = nil) async throws -> Bool {
        let logger = Logger(label: "test.audit")
        let client = PostgresClient(configuration: try .init(url: TestEnvironment.require("DATABASE_URL")), backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        return try await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
            let rows = try? await client.query(
                """
                SELECT count(*)::int FROM analytics.events
                WHERE type = \(type) AND lower(payload->>'user_id') = lower(\(userID))
                  AND (\(kind)::text IS NULL OR payload->>'kind' = \(kind))
                  AND (\(actor)::text IS NULL OR lower(payload->>'actor_id') = lower(\(actor)))
                """, logger: logger)
            guard let rows else { return false }
            for try await count in rows.decode(Int.self) { return count > 0 }
            return false
        }
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
