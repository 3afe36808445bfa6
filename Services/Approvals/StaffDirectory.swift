import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// The staff `auth` knows, kept from its events (role, whether active, name), and who gets work.
struct StaffDirectory: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    /// The `auth` events that keep the directory.
    static let routingKeys = ["auth.user.#"]

    func register(on handlers: inout MessageHandlers) {
        handlers.on(AuthEvents.UserCreated.self) { event, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await upsert(event.userID, role: event.role, active: true, fullName: event.fullName, on: connection)
            }
        }
        handlers.on(AuthEvents.UserRegistered.self) { event, context in
            // Clients register themselves; only the bootstrap super admin arrives this way as staff.
            guard event.role.isStaff else { return }
            try await database.processOnce(messageID: context.messageID) { connection in
                try await upsert(event.userID, role: event.role, active: true, fullName: nil, on: connection)
            }
        }
        handlers.on(AuthEvents.UserUpdated.self) { event, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await connection.query(
                    """
                    UPDATE staff SET role = coalesce(\(event.role), role),
                        active = CASE WHEN \(event.status)::text IS NULL THEN active ELSE \(event.status) = 'active' END,
                        updated_at = now()
                    WHERE user_id = \(event.userID)
                    """, logger: logger)
            }
        }
    }

    private func upsert(_ id: UUID, role: Role, active: Bool, fullName: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO staff (user_id, role, active, full_name) VALUES (\(id), \(role), \(active), \(fullName))
            ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, active = excluded.active,
                full_name = coalesce(excluded.full_name, staff.full_name), updated_at = now()
            """, logger: logger)
    }

    /// Whether `id` is an active staff member of `role`.
    func isActive(_ id: UUID, role: Role, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM staff WHERE user_id = \(id) AND role = \(role) AND active", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The work staff are given, each measured by its own load.
    enum Workload: Sendable {
        /// Approval stages open on them.
        case approvals
        /// Support tickets open or in progress with them.
        case tickets

        fileprivate var load: String {
            switch self {
            case .approvals: "(SELECT count(*) FROM stages t WHERE t.assignee_id = s.user_id AND t.status = 'open')"
            case .tickets: "(SELECT count(*) FROM tickets t WHERE t.assignee_id = s.user_id AND t.status IN ('open', 'in_progress'))"
            }
        }

        fileprivate var lastAssigned: String {
            switch self {
            case .approvals: "last_assigned_at"
            case .tickets: "last_ticket_assigned_at"
            }
        }
    }

    /// The active member of `role` with the least `work` (ties: the one who waited longest for
    /// it), not one of `excluded`; recorded as just given work. Concurrent assignments do not queue
    /// behind one another: each locks the member it picks until its transaction ends and skips the
    /// members other transactions are giving work to right now, so two made at once go to two
    /// people. Only when every candidate is taken does it wait for the least loaded.
    func assignLeastLoaded(
        _ role: Role, _ work: Workload = .approvals, excluding excluded: [UUID] = [], on connection: PostgresConnection
    ) async throws -> UUID? {
        for wait in [false, true] {
            let rows = try await connection.query(
                """
                SELECT s.user_id FROM staff s
                WHERE s.role = \(role) AND s.active AND NOT (s.user_id = ANY(\(excluded)))
                ORDER BY \(unescaped: work.load), s.\(unescaped: work.lastAssigned) NULLS FIRST, s.user_id
                LIMIT 1 FOR UPDATE OF s\(unescaped: wait ? "" : " SKIP LOCKED")
                """, logger: logger)
            for try await chosen in rows.decode(UUID.self) {
                try await markAssigned(chosen, work, on: connection)
                return chosen
            }
        }
        return nil
    }

    func markAssigned(_ id: UUID, _ work: Workload = .approvals, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE staff SET \(unescaped: work.lastAssigned) = clock_timestamp() WHERE user_id = \(id)", logger: logger)
    }

    /// The names of `ids` that the directory knows.
    func names(of ids: [UUID], on connection: PostgresConnection? = nil) async throws -> [UUID: String] {
        let query: PostgresQuery = "SELECT user_id, full_name FROM staff WHERE user_id = ANY(\(ids)) AND full_name IS NOT NULL"
        let rows = try await database.query(query, on: connection)
        var names: [UUID: String] = [:]
        for try await (id, name) in rows.decode((UUID, String).self) { names[id] = name }
        return names
    }
}
