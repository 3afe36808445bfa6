import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// A signed-in user's own inbox and channel preferences.
struct InboxOperations: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func register(on rpc: inout RPCHandlers) {
        rpc.on(NotificationsRPC.List.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            if !request.page.problems.isEmpty { throw Problem.validation(request.page.problems) }
            return .ok(try await list(request, of: caller.userID))
        }
        rpc.on(NotificationsRPC.MarkRead.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            let rows = try await database.client.query(
                """
                UPDATE inbox SET read_at = coalesce(read_at, now())
                WHERE user_id = \(caller.userID) AND (\(request.id)::uuid IS NULL OR id = \(request.id))
                RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in rows { found = true }
            if request.id != nil && !found { throw Problem.notFound("No such notification.") }
            return RPCReply(status: 204, body: Empty())
        }
        rpc.on(NotificationsRPC.GetPreferences.self) { _, context in
            let caller = try context.requireRole(Set(Role.allCases))
            return .ok(try await preferences(of: caller.userID))
        }
        rpc.on(NotificationsRPC.PutPreferences.self) { preferences, context in
            let caller = try context.requireRole(Set(Role.allCases))
            try await database.client.query(
                """
                INSERT INTO preferences (user_id, email, websocket) VALUES (\(caller.userID), \(preferences.email), \(preferences.websocket))
                ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, websocket = excluded.websocket, updated_at = now()
                """, logger: logger)
            return .ok(preferences)
        }
    }

    /// One notification, whoever it is for (the sync feed has checked that already).
    func notification(_ id: UUID) async throws -> InboxNotification? {
        try await list(NotificationsRPC.List.Request(page: PageRequest(page: 1, pageSize: 1), unread: nil, type: nil), of: nil, id: id)
            .items.first
    }

    private func list(_ request: NotificationsRPC.List.Request, of user: UUID?, id: UUID? = nil) async throws -> Page<InboxNotification> {
        let filter: PostgresQuery = """
            FROM inbox
            WHERE (\(user)::uuid IS NULL OR user_id = \(user))
              AND (\(request.unread)::bool IS NULL OR (read_at IS NULL) = \(request.unread))
              AND (\(request.type)::text IS NULL OR type = \(request.type)) AND (\(id)::uuid IS NULL OR id = \(id))
            """
        let (total, rows) = try await database.listing(
            select: "id, type, title, body, data::text, created_at, read_at", filter, orderBy: "created_at DESC, id",
            limit: request.page.pageSize, offset: request.page.offset)
        var items: [InboxNotification] = []
        for try await (id, type, title, body, data, created, read) in rows.decode((UUID, String, String, String, String, Date, Date?).self)
        {
            items.append(
                InboxNotification(
                    id: id, type: type, title: title, body: body,
                    data: try UnreadableRow.json([String: String].self, from: data, column: "inbox.data"),
                    createdAt: created, readAt: read))
        }
        return Page(items: items, request: request.page, total: total)
    }

    private func preferences(of user: UUID) async throws -> NotificationPreferences {
        let rows = try await database.client.query(
            "SELECT email, websocket FROM preferences WHERE user_id = \(user)", logger: logger)
        for try await (email, websocket) in rows.decode((Bool, Bool).self) {
            return NotificationPreferences(email: email, websocket: websocket)
        }
        return NotificationPreferences()
    }
}
