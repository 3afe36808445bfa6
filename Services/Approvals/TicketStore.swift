import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `approvals.tickets` and their comments.
struct TicketStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func insert(
        _ request: TicketsRPC.Create.Request, id: UUID, customer: UUID, assignee: UUID?, dueAt: Date, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO approvals.tickets (id, customer_id, subject, description, priority, status, application_id, assignee_id, due_at)
            VALUES (\(id), \(customer), \(request.subject.trimmingCharacters(in: .whitespacesAndNewlines)),
                \(request.description.trimmingCharacters(in: .whitespacesAndNewlines)), \(request.priority.rawValue), 'open',
                \(request.applicationID), \(assignee), \(dueAt))
            """, logger: logger)
    }

    /// The ticket, locked until the transaction ends when `connection` is given.
    func ticket(_ id: UUID, locking connection: PostgresConnection? = nil) async throws -> Ticket? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await tickets(where: "t.id = $1", binds: binds, suffix: connection == nil ? "" : " FOR UPDATE OF t", on: connection).first
    }

    func withComments(_ ticket: Ticket) async throws -> Ticket {
        var ticket = ticket
        let rows = try await database.client.query(
            "SELECT id, author_id, author_role, body, created_at FROM approvals.ticket_comments WHERE ticket_id = \(ticket.id) ORDER BY created_at, id",
            logger: logger)
        ticket.comments = []
        for try await (id, author, role, body, at) in rows.decode((UUID, UUID, String, String, Date).self) {
            ticket.comments?.append(.init(id: id, authorID: author, authorRole: Role(rawValue: role) ?? .client, body: body, createdAt: at))
        }
        return ticket
    }

    /// Writes a change and moves the version on.
    func update(
        _ id: UUID, status: Ticket.Status, priority: Ticket.Priority, dueAt: Date, assignee: UUID?, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE approvals.tickets SET status = \(status.rawValue), priority = \(priority.rawValue), due_at = \(dueAt),
                assignee_id = \(assignee), version = version + 1, updated_at = now(),
                resolved_at = CASE WHEN \(status.rawValue) = 'resolved' THEN coalesce(resolved_at, now()) ELSE NULL END,
                escalated_at = CASE WHEN due_at = \(dueAt) THEN escalated_at ELSE NULL END
            WHERE id = \(id)
            """, logger: logger)
    }

    func addComment(_ comment: Ticket.Comment, to ticket: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO approvals.ticket_comments (id, ticket_id, author_id, author_role, body, created_at)
            VALUES (\(comment.id), \(ticket), \(comment.authorID), \(comment.authorRole.rawValue), \(comment.body), \(comment.createdAt))
            """, logger: logger)
        try await connection.query("UPDATE approvals.tickets SET updated_at = now() WHERE id = \(ticket)", logger: logger)
    }

    struct Filter: Sendable {
        var customer: UUID?
        var status: Ticket.Status?
        var priority: Ticket.Priority?
        var assignee: UUID?
    }

    func list(_ filter: Filter, page: PageRequest) async throws -> (total: Int, items: [Ticket]) {
        var binds = PostgresBindings()
        binds.append(filter.customer)
        binds.append(filter.status?.rawValue)
        binds.append(filter.priority?.rawValue)
        binds.append(filter.assignee)
        let filterSQL = Self.from + """

            WHERE ($1::uuid IS NULL OR t.customer_id = $1)
              AND ($2::text IS NULL OR t.status = $2)
              AND ($3::text IS NULL OR t.priority = $3)
              AND ($4::uuid IS NULL OR t.assignee_id = $4)
            """
        let (total, rows) = try await database.listing(
            select: Self.columns, filterSQL, binds: binds, orderBy: "t.created_at DESC, t.id", limit: page.pageSize, offset: page.offset)
        return (total, try await Self.decode(rows))
    }

    /// Unresolved tickets past due and not yet reported, oldest first, locked.
    func overdue(limit: Int, on connection: PostgresConnection) async throws -> [Ticket] {
        try await tickets(
            where: "t.status <> 'resolved' AND t.escalated_at IS NULL AND t.due_at < now()", binds: PostgresBindings(),
            suffix: " ORDER BY t.due_at LIMIT \(limit) FOR UPDATE OF t SKIP LOCKED", on: connection)
    }

    /// Unresolved tickets nobody could be given when they came in.
    func unassigned(limit: Int, on connection: PostgresConnection) async throws -> [Ticket] {
        try await tickets(
            where: "t.status <> 'resolved' AND t.assignee_id IS NULL", binds: PostgresBindings(),
            suffix: " ORDER BY t.created_at LIMIT \(limit) FOR UPDATE OF t SKIP LOCKED", on: connection)
    }

    func markEscalated(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE approvals.tickets SET escalated_at = now() WHERE id = \(id)", logger: logger)
    }

    func assign(_ id: UUID, to assignee: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE approvals.tickets SET assignee_id = \(assignee), updated_at = now() WHERE id = \(id)", logger: logger)
    }

    private static let from = "FROM approvals.tickets t LEFT JOIN approvals.staff s ON s.user_id = t.assignee_id"
    private static let columns = """
        t.id, t.customer_id, t.subject, t.description, t.priority, t.status, t.application_id, t.assignee_id, s.full_name, t.due_at,
        t.escalated_at IS NOT NULL, t.version, t.created_at, t.updated_at, t.resolved_at
        """

    private func tickets(where condition: String, binds: PostgresBindings, suffix: String, on connection: PostgresConnection?) async throws -> [Ticket] {
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.columns) \(Self.from) WHERE \(condition)\(suffix)", binds: binds)
        let rows = try await database.query(query, on: connection)
        return try await Self.decode(rows)
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Ticket] {
        var tickets: [Ticket] = []
        for try await (id, customer, subject, description, priority, status, application, assignee, name, due, escalated, version, created, updated, resolved)
            in rows.decode((UUID, UUID, String, String, String, String, UUID?, UUID?, String?, Date, Bool, Int, Date, Date, Date?).self)
        {
            guard let priority = Ticket.Priority(rawValue: priority), let status = Ticket.Status(rawValue: status) else { continue }
            tickets.append(
                Ticket(
                    id: id, customerID: customer, subject: subject, description: description, priority: priority, status: status,
                    applicationID: application, assignee: assignee.map { Ticket.Assignee(id: $0, fullName: name) }, dueAt: due,
                    escalated: escalated, version: version, createdAt: created, updatedAt: updated, resolvedAt: resolved, comments: nil))
        }
        return tickets
    }
}
