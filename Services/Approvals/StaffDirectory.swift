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
                    UPDATE approvals.staff SET role = coalesce(\(event.role?.rawValue), role),
                        active = CASE WHEN \(event.status?.rawValue)::text IS NULL THEN active ELSE \(event.status?.rawValue) = 'active' END,
                        updated_at = now()
                    WHERE user_id = \(event.userID)
                    """, logger: logger)
            }
        }
    }

    private func upsert(_ id: UUID, role: Role, active: Bool, fullName: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO approvals.staff (user_id, role, active, full_name) VALUES (\(id), \(role.rawValue), \(active), \(fullName))
            ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, active = excluded.active,
                full_name = coalesce(excluded.full_name, approvals.staff.full_name), updated_at = now()
            """, logger: logger)
    }

    /// Whether `id` is an active staff member of `role`.
    func isActive(_ id: UUID, role: Role, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM approvals.staff WHERE user_id = \(id) AND role = \(role.rawValue) AND active", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The active member of `role` with the fewest open stages (ties: the one who waited longest
    /// for work), not one of `excluded`; recorded as just assigned. Assignments of one role are
    /// serialised (a transaction-level lock), so two made at once both see each other's load.
    func assignLeastLoaded(_ role: Role, excluding excluded: [UUID], on connection: PostgresConnection) async throws -> UUID? {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("approvals:assign:" + role.rawValue)))", logger: logger)
        let rows = try await connection.query(
            """
            SELECT s.user_id FROM approvals.staff s
            WHERE s.role = \(role.rawValue) AND s.active AND NOT (s.user_id = ANY(\(excluded)))
            ORDER BY (SELECT count(*) FROM approvals.stages t WHERE t.assignee_id = s.user_id AND t.status = 'open'),
                s.last_assigned_at NULLS FIRST, s.user_id
            LIMIT 1
            """, logger: logger)
        var chosen: UUID?
        for try await id in rows.decode(UUID.self) { chosen = id }
        guard let chosen else { return nil }
        try await markAssigned(chosen, on: connection)
        return chosen
    }

    func markAssigned(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE approvals.staff SET last_assigned_at = clock_timestamp() WHERE user_id = \(id)", logger: logger)
    }
}
