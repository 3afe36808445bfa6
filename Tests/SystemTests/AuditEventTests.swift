import Foundation
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
            [
                "email": "audit-\(UUID().uuidString.prefix(8).lowercased())@staff.example", "password": accounts.password,
                "full_name": "Audited", "role": "analyst",
            ], token: root)
        let userID = try #require(created["id"])
        #expect(try await api.patch("/api/v1/users/\(userID)", ["role": "director"], token: root).status == 200)
        #expect(try await recorded("auth.user.created.v1", userID: userID, actor: rootID))
        #expect(try await recorded("auth.user.updated.v1", userID: userID, actor: rootID))
    }
}

/// `GET /audit-log` and its hash chain. Serialized: one test tampers with the chain for a moment.
@Suite(.serialized) struct AuditLogTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    @Test func staffActionsAreLoggedAndTheChainVerifies() async throws {
        let root = try await SuperAdmin.session.value.access
        let rootID = try #require(try await api.get("/api/v1/auth/me", token: root)["id"])
        let analyst = try await approvers.member("analyst")
        var entry: [String: Any]?
        #expect(
            await eventually {
                let page = try? await api.get("/api/v1/audit-log?action=user.created&actor_id=\(rootID)&page_size=100", token: root)
                entry = (page?.json["items"] as? [[String: Any]])?.first { $0["entity_id"] as? String == analyst.id }
                return entry != nil
            })
        #expect(entry?["entity"] as? String == "user")
        #expect(entry?["actor_role"] as? String == "super_admin")
        #expect((entry?["details"] as? [String: Any])?["role"] as? String == "analyst")
        #expect((entry?["hash"] as? String)?.count == 64)
        #expect(try await api.get("/api/v1/audit-log", token: analyst.token).status == 403)

        // An approval decision is a staff action too.
        let (id, _, _) = try await approvers.pending()
        #expect(try await approvers.decide(id, "approve", token: root).status == 200)
        #expect(
            await eventually {
                let page = try? await api.get("/api/v1/audit-log?action=application.approve&entity=application&page_size=100", token: root)
                return (page?.json["items"] as? [[String: Any]])?.contains {
                    $0["entity_id"] as? String == id && $0["actor_id"] as? String == rootID
                } == true
            })

        let verdict = try await api.get("/api/v1/audit-log/verify", token: root)
        #expect(verdict.json["valid"] as? Bool == true, "\(verdict.text)")
        #expect((verdict.json["entries"] as? Int ?? 0) >= 2)
    }

    @Test func verifyFindsATamperedEntry() async throws {
        let root = try await SuperAdmin.session.value.access
        _ = try await approvers.member("analyst")
        let seq = try #require(try await AuditLogDatabase.lastSeq())
        // Someone with database access rewrites history; verify says where.
        let original = try await AuditLogDatabase.tamper(seq: seq)
        let verdict = try await api.get("/api/v1/audit-log/verify", token: root)
        try await AuditLogDatabase.restore(seq: seq, details: original)
        #expect(verdict.json["valid"] as? Bool == false)
        #expect(verdict.json["broken_at"] as? Int == seq)
        #expect(try await api.get("/api/v1/audit-log/verify", token: root).json["valid"] as? Bool == true)
    }
}

/// Direct access to the audit table, as an attacker with database access would have.
enum AuditLogDatabase {
    static func lastSeq() async throws -> Int? {
        try await TestServers.withDatabase { client, logger in
            var seq: Int?
            _ = try await eventually {
                for try await value in try await client.query("SELECT max(seq)::int FROM analytics.audit_log", logger: logger).decode(
                    Int?.self)
                {
                    seq = value
                }
                return seq != nil
            }
            return seq
        }
    }

    /// Changes an entry's details without fixing its hash; returns what they were.
    static func tamper(seq: Int) async throws -> String {
        try await TestServers.withDatabase { client, logger in
            var original = ""
            for try await details in try await client.query(
                "UPDATE analytics.audit_log a SET details = '{\"role\":\"super_admin\"}' FROM analytics.audit_log b WHERE a.seq = \(seq) AND b.seq = a.seq RETURNING b.details",
                logger: logger
            ).decode(String.self) { original = details }
            return original
        }
    }

    static func restore(seq: Int, details: String) async throws {
        try await TestServers.withDatabase { client, logger in
            try await client.query("UPDATE analytics.audit_log SET details = \(details) WHERE seq = \(seq)", logger: logger)
        }
    }
}
