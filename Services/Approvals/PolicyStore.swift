import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// The approval policy in force: the saved one, or the built-in default (version 1) until an
/// administrator saves one.
struct PolicyStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func current(on connection: PostgresConnection? = nil) async throws -> ApprovalPolicy {
        let query: PostgresQuery = "SELECT document::text, version, updated_at FROM policy"
        let rows = try await database.query(query, on: connection)
        for try await (document, version, updatedAt) in rows.decode((String, Int, Date).self) {
            var policy = try JSON.decode(ApprovalPolicy.self, from: Array(document.utf8))
            policy.version = version
            policy.updatedAt = updatedAt
            return policy
        }
        var standard = PolicyRules.standard
        standard.version = 1
        return standard
    }

    /// Saves `policy` if the one in force is still at `expectedVersion` (when given); nil if not.
    func save(_ policy: ApprovalPolicy, expectedVersion: Int?, by actor: Principal) async throws -> ApprovalPolicy? {
        try await database.transaction { connection in
            try await connection.query("LOCK TABLE policy IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            let current = try await current(on: connection)
            let version = current.version ?? 1
            if let expectedVersion, expectedVersion != version { return nil }
            var stored = policy
            stored.version = nil
            stored.updatedAt = nil
            let document = String(decoding: try JSON.encode(stored), as: UTF8.self)
            try await connection.query(
                """
                INSERT INTO policy (document, version, updated_by) VALUES (\(document)::jsonb, \(version + 1), \(actor.userID))
                ON CONFLICT (singleton) DO UPDATE SET document = excluded.document, version = excluded.version,
                    updated_by = excluded.updated_by, updated_at = now()
                """, logger: logger)
            try await database.outbox.publish(
                ApprovalsEvents.PolicyUpdated(version: version + 1, actorID: actor.userID, actorRole: actor.role, occurredAt: Date()),
                on: connection)
            return try await self.current(on: connection)
        }
    }
}
