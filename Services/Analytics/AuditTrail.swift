import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// The hash-chained audit log: appended in the transaction that stores the event it comes from,
/// listed with filters, and verified end to end.
struct AuditTrail: Sendable {
    let database: Database
    private var logger: Logger { database.logger }
    static let genesis = String(repeating: "0", count: 64)

    /// Appends the entry after the last one. Appends are serialised by a transaction-level lock,
    /// so the chain has no forks.
    func append(_ draft: AuditRules.Draft, messageID: String, at: Date, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('analytics:audit-log'))", logger: logger)
        let actor = draft.actorID.flatMap(UUID.init(uuidString:))
        let details = AuditRules.canonical(draft.details)
        try await connection.query(
            """
            INSERT INTO audit_log (seq, at, actor_id, actor_role, action, entity, entity_id, details, message_id, prev_hash, hash)
            SELECT n.seq, n.at, \(actor), \(draft.actorRole), \(draft.action), \(draft.entity), \(draft.entityID), \(details), \(messageID),
                n.prev, audit_hash(n.seq, n.at, \(actor), \(draft.actorRole), \(draft.action), \(draft.entity), \(draft.entityID),
                    \(details), n.prev)
            FROM (SELECT coalesce(max(seq), 0) + 1 AS seq, \(at)::timestamptz AS at,
                coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), \(Self.genesis)) AS prev
                FROM audit_log) n
            ON CONFLICT (message_id) DO NOTHING
            """, logger: logger)
    }

    /// Walks the chain in order: every entry's hash must match its fields and the entry before.
    func verify() async throws -> AuditRPC.Verify.Response {
        let rows = try await database.client.query(
            """
            SELECT seq, hash = audit_hash(seq, at, actor_id, actor_role, action, entity, entity_id, details, prev_hash)
                AND prev_hash = coalesce(lag(hash) OVER (ORDER BY seq), \(Self.genesis))
                AND seq = row_number() OVER (ORDER BY seq)
            FROM audit_log ORDER BY seq
            """, logger: logger)
        var entries = 0
        var brokenAt: Int?
        for try await (seq, holds) in rows.decode((Int, Bool).self) {
            entries += 1
            if !holds, brokenAt == nil { brokenAt = seq }
        }
        return .init(valid: brokenAt == nil, entries: entries, brokenAt: brokenAt)
    }

    func list(_ request: AuditRPC.List.Request) async throws -> Page<AuditEntry> {
        let filter: PostgresQuery = """
            FROM audit_log
            WHERE (\(request.actorID)::uuid IS NULL OR actor_id = \(request.actorID))
              AND (\(request.action)::text IS NULL OR action = \(request.action))
              AND (\(request.entity)::text IS NULL OR entity = \(request.entity))
              AND (\(request.from)::date IS NULL OR at >= (\(request.from)::date AT TIME ZONE 'UTC'))
              AND (\(request.to)::date IS NULL OR at < ((\(request.to)::date + 1) AT TIME ZONE 'UTC'))
            """
        let (total, rows) = try await database.listing(
            select: "seq, at, actor_id, actor_role, action, entity, entity_id, details, prev_hash, hash", filter,
            orderBy: "seq DESC", limit: request.page.pageSize, offset: request.page.offset)
        var items: [AuditEntry] = []
        for try await (seq, at, actor, role, action, entity, entityID, details, prev, hash)
            in rows.decode((Int, Date, UUID?, String?, String, String, String?, String, String, String).self)
        {
            items.append(
                AuditEntry(
                    seq: seq, at: at, actorID: actor, actorRole: role, action: action, entity: entity, entityID: entityID,
                    details: try UnreadableRow.json([String: String].self, from: details, column: "audit_log.details"), prevHash: prev,
                    hash: hash))
        }
        return Page(items: items, request: request.page, total: total)
    }

    func register(on rpc: inout RPCHandlers) {
        rpc.on(AuditRPC.List.self) { request, context in
            _ = try context.requireRole([.superAdmin])
            if !request.page.problems.isEmpty { throw Problem.validation(request.page.problems) }
            return .ok(try await list(request))
        }
        rpc.on(AuditRPC.Verify.self) { _, context in
            _ = try context.requireRole([.superAdmin])
            return .ok(try await verify())
        }
    }
}
