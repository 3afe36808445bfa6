import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// Everyone `auth` knows, kept from its events: where to email them, their role (for notices to
/// a whole role), whether they are active.
struct Recipients: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    static let routingKeys = ["auth.user.#"]

    struct Recipient: Sendable {
        let id: UUID
        let email: String
        let preferences: NotificationPreferences
    }

    func register(on handlers: inout MessageHandlers) {
        handlers.on(AuthEvents.UserRegistered.self) { event, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await upsert(event.userID, email: event.email, role: event.role, on: connection)
            }
        }
        handlers.on(AuthEvents.UserCreated.self) { event, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await upsert(event.userID, email: event.email, role: event.role, on: connection)
            }
        }
        handlers.on(AuthEvents.UserUpdated.self) { event, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await connection.query(
                    """
                    UPDATE recipients SET role = coalesce(\(event.role), role),
                        active = CASE WHEN \(event.status)::text IS NULL THEN active ELSE \(event.status) = 'active' END,
                        updated_at = now()
                    WHERE user_id = \(event.userID)
                    """, logger: logger)
            }
        }
    }

    private func upsert(_ id: UUID, email: String, role: Role, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO recipients (user_id, email, role) VALUES (\(id), \(email), \(role))
            ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, role = excluded.role, updated_at = now()
            """, logger: logger)
    }

    /// The users an audience names, with their channels. A user `auth` has not announced yet still
    /// gets inbox and push (no email address is known).
    func resolve(_ audience: Notice.Audience, on connection: PostgresConnection) async throws -> [Recipient] {
        let query: PostgresQuery =
            switch audience {
            case .user(let id):
                """
                SELECT u.id, r.email, p.email, p.websocket FROM (SELECT \(id)::uuid AS id) u
                LEFT JOIN recipients r ON r.user_id = u.id
                LEFT JOIN preferences p ON p.user_id = u.id
                """
            case .role(let role):
                try """
                SELECT r.user_id, r.email, p.email, p.websocket FROM recipients r
                LEFT JOIN preferences p ON p.user_id = r.user_id
                WHERE r.role = \(role) AND r.active
                """
            }
        var recipients: [Recipient] = []
        for try await (id, email, byEmail, bySocket) in try await connection.query(query, logger: logger).decode(
            (UUID, String?, Bool?, Bool?).self)
        {
            recipients.append(
                Recipient(
                    id: id, email: email ?? "",
                    preferences: NotificationPreferences(email: (byEmail ?? true) && email != nil, websocket: bySocket ?? true)))
        }
        return recipients
    }
}
