import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `tickets` and their comments.
struct TicketStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func insert(
        _ request: TicketsRPC.Create.Request, id: UUID, customer: UUID, assignee: UUID?, dueAt: Date, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO tickets (id, customer_id, subject, description, priority, status, application_id, assignee_id, due_at)
            VALUES (\(id), \(customer), \(request.subject.trimmingCharacters(in: .whitespacesAndNewlines)),
                \(request.description.trimmingCharacters(in: .whitespacesAndNewlines)), \(request.priority), 'open',
                \(request.applicationID), \(assignee), \(dueAt))
            """, logger: logger)
    }

    /// The ticket, locked until the transaction ends when `connection` is given.
    func ticket(_ id: UUID, locking connection: PostgresConnection? = nil) async throws -> Ticket? {
        let lock = connection == nil ? "" : " FOR UPDATE OF t"
        return try await tickets(
            "SELECT \(unescaped: Self.columns) \(unescaped: Self.from) WHERE t.id = \(id)\(unescaped: lock)", on: connection
        ).first
    }

    func withComments(_ ticket: Ticket) async throws -> Ticket {
        var ticket = ticket
        let rows = try await database.client.query(
            "SELECT id, author_id, author_role, body, created_at FROM ticket_comments WHERE ticket_id = \(ticket.id) ORDER BY created_at, id",
            logger: logger)
        ticket.comments = []
        for try await (id, author, role, body, at) in rows.decode((UUID, UUID, Role, String, Date).self) {
            ticket.comments?.append(.init(id: id, authorID: author, authorRole: role, body: body, createdAt: at))
        }
        return ticket
    }

    /// Writes a change and moves the version on.
    func update(
        _ id: UUID, status: Ticket.Status, priority: Ticket.Priority, dueAt: Date, assignee: UUID?, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE tickets SET status = \(status), priority = \(priority), due_at = \(dueAt),
                assignee_id = \(assignee), version = version + 1, updated_at = now(),
                resolved_at = CASE WHEN \(status) = 'resolved' THEN coalesce(resolved_at, now()) ELSE NULL END,
                escalated_at = CASE WHEN due_at = \(dueAt) THEN escalated_at ELSE NULL END
            WHERE id = \(id)
            """, logger: logger)
    }

    func addComment(_ comment: Ticket.Comment, to ticket: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO ticket_comments (id, ticket_id, author_id, author_role, body, created_at)
            VALUES (\(comment.id), \(ticket), \(comment.authorID), \(comment.authorRole), \(comment.body), \(comment.createdAt))
            """, logger: logger)
        try await connection.query("UPDATE tickets SET updated_at = now() WHERE id = \(ticket)", logger: logger)
    }

    struct Filter: Sendable {
        var customer: UUID?
        var status: Ticket.Status?
        var priority: Ticket.Priority?
        var assignee: UUID?
    }

    func list(_ filter: Filter, page: PageRequest) async throws -> (total: Int, items: [Ticket]) {
        let matching: PostgresQuery = try """
        \(unescaped: Self.from)
        WHERE (\(filter.customer)::uuid IS NULL OR t.customer_id = \(filter.customer))
          AND (\(filter.status)::text IS NULL OR t.status = \(filter.status))
          AND (\(filter.priority)::text IS NULL OR t.priority = \(filter.priority))
          AND (\(filter.assignee)::uuid IS NULL OR t.assignee_id = \(filter.assignee))
        """
        let (total, rows) = try await database.listing(
            select: Self.columns, matching, orderBy: "t.created_at DESC, t.id", limit: page.pageSize, offset: page.offset)
        return (total, try await Self.decode(rows))
    }

    /// Unresolved tickets past due and not yet reported, oldest first, locked.
    func overdue(limit: Int, on connection: PostgresConnection) async throws -> [Ticket] {
        try await tickets(
            """
            SELECT \(unescaped: Self.columns) \(unescaped: Self.from)
            WHERE t.status <> 'resolved' AND t.escalated_at IS NULL AND t.due_at < now()
            ORDER BY t.due_at LIMIT \(limit) FOR UPDATE OF t SKIP LOCKED
            """, on: connection)
    }

    /// Unresolved tickets nobody could be given when they came in.
    func unassigned(limit: Int, on connection: PostgresConnection) async throws -> [Ticket] {
        try await tickets(
            """
            SELECT \(unescaped: Self.columns) \(unescaped: Self.from) WHERE t.status <> 'resolved' AND t.assignee_id IS NULL
            ORDER BY t.created_at LIMIT \(limit) FOR UPDATE OF t SKIP LOCKED
            """, on: connection)
    }

    func markEscalated(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE tickets SET escalated_at = now() WHERE id = \(id)", logger: logger)
    }

    func assign(_ id: UUID, to assignee: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE tickets SET assignee_id = \(assignee), updated_at = now() WHERE id = \(id)", logger: logger)
    }

    private static let from = "FROM tickets t LEFT JOIN staff s ON s.user_id = t.assignee_id"
    private static let columns = """
        t.id, t.customer_id, t.subject, t.description, t.priority, t.status, t.application_id, t.assignee_id, s.full_name, t.due_at,
        t.escalated_at IS NOT NULL, t.version, t.created_at, t.updated_at, t.resolved_at
        """

    private func tickets(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [Ticket] {
        try await Self.decode(try await database.query(query, on: connection))
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Ticket] {
        var tickets: [Ticket] = []
        for try await (
            id, customer, subject, description, priority, status, application, assignee, name, due, escalated, version, created, updated,
            resolved
        )
            in rows.decode(
                (UUID, UUID, String, String, Ticket.Priority, Ticket.Status, UUID?, UUID?, String?, Date, Bool, Int, Date, Date, Date?).self
            )
        {
            tickets.append(
                Ticket(
                    id: id, customerID: customer, subject: subject, description: description, priority: priority, status: status,
                    applicationID: application, assignee: assignee.map { Ticket.Assignee(id: $0, fullName: name) }, dueAt: due,
                    escalated: escalated, version: version, createdAt: created, updatedAt: updated, resolvedAt: resolved, comments: nil))
        }
        return tickets
    }
}
