import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `workflows` (one per application) and their stages.
struct WorkflowStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    enum Status: String, Sendable {
        case analysing, deciding, approved, rejected, withdrawn
    }

    /// A workflow as read (and locked) in the current transaction.
    struct Current: Sendable {
        let status: Status
        let customerID: UUID
        let amount: Money
        let risk: Decimal?
    }

    /// Opens the workflow of a submitted application; false if it was open already.
    func open(_ application: LoansEvents.ApplicationSubmitted, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO workflows (application_id, customer_id, amount, status)
            VALUES (\(application.applicationID), \(application.customerID), \(application.amount), 'analysing')
            ON CONFLICT DO NOTHING RETURNING application_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func lock(_ id: UUID, on connection: PostgresConnection) async throws -> Current? {
        let rows = try await connection.query(
            "SELECT status, customer_id, amount, risk_score FROM workflows WHERE application_id = \(id) FOR UPDATE", logger: logger)
        for try await (status, customer, amount, risk) in rows.decode((Status, UUID, Money, Decimal?).self) {
            return Current(status: status, customerID: customer, amount: amount, risk: risk)
        }
        return nil
    }

    func setStatus(_ id: UUID, _ status: Status, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE workflows SET status = \(status), updated_at = now() WHERE application_id = \(id)", logger: logger)
    }

    /// Numbers the next event that moves the application in `loans` (see `ApplicationMoveEvent`);
    /// the workflow is locked by the caller's transaction, so numbers never repeat or skip.
    func nextEventSequence(_ id: UUID, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            """
            UPDATE workflows SET event_sequence = event_sequence + 1 WHERE application_id = \(id)
            RETURNING event_sequence
            """, logger: logger)
        for try await sequence in rows.decode(Int.self) { return sequence }
        throw UnreadableRow("no workflow for application \(id)")
    }

    func recordAnalysis(_ id: UUID, _ analysis: ApplicationAnalysis, risk: Decimal, on connection: PostgresConnection) async throws {
        let document = String(decoding: try JSON.encode(analysis), as: UTF8.self)
        try await connection.query(
            """
            UPDATE workflows SET analysis = \(document)::jsonb, risk_score = \(risk), updated_at = now()
            WHERE application_id = \(id)
            """, logger: logger)
    }

    func analysis(of id: UUID) async throws -> (customerID: UUID, analysis: ApplicationAnalysis?)? {
        let rows = try await database.client.query(
            "SELECT customer_id, analysis::text FROM workflows WHERE application_id = \(id)", logger: logger)
        for try await (customer, analysis) in rows.decode((UUID, String?).self) {
            return (customer, try analysis.map { try JSON.decode(ApplicationAnalysis.self, from: Array($0.utf8)) })
        }
        return nil
    }

    /// The risk scores of those of `ids` that were analysed, as their analyses write them.
    func riskScores(of ids: [UUID]) async throws -> [ApprovalsRPC.RiskScore] {
        let rows = try await database.client.query(
            """
            SELECT application_id, analysis->>'risk_score' FROM workflows
            WHERE application_id = ANY(\(ids)) AND analysis->>'risk_score' IS NOT NULL
            """, logger: logger)
        var scores: [ApprovalsRPC.RiskScore] = []
        for try await (id, score) in rows.decode((UUID, String).self) { scores.append(.init(applicationID: id, riskScore: score)) }
        return scores
    }

    /// The chain, every level waiting; returns the stage ids, first level first.
    func insertStages(_ id: UUID, roles: [Role], on connection: PostgresConnection) async throws -> [UUID] {
        var ids: [UUID] = []
        for (index, role) in roles.enumerated() {
            let stage = UUID()
            try await connection.query(
                """
                INSERT INTO stages (id, application_id, level, role, status)
                VALUES (\(stage), \(id), \(index + 1), \(role), 'waiting')
                """, logger: logger)
            ids.append(stage)
        }
        return ids
    }

    /// Gives an open stage (or one that opens now) its approver and due time; a stage that waited
    /// for documents resumes.
    func assign(
        _ stage: UUID, to assignee: UUID?, dueAt: Date, resuming: Bool, escalated: Bool, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE stages SET status = 'open', assignee_id = \(assignee), due_at = \(dueAt),
                awaiting_documents = awaiting_documents AND NOT \(resuming), escalations = escalations + \(escalated ? 1 : 0)
            WHERE id = \(stage)
            """, logger: logger)
    }

    func decide(
        _ stage: UUID, by approver: UUID, _ decision: ApprovalDecision, comment: String?, on connection: PostgresConnection
    ) async throws {
        let parks = decision == .requestDocuments
        try await connection.query(
            """
            UPDATE stages SET
                status = CASE WHEN \(parks) THEN 'open' ELSE 'decided' END,
                awaiting_documents = \(parks),
                decided_by = CASE WHEN \(parks) THEN NULL ELSE \(approver) END,
                decision = CASE WHEN \(parks) THEN NULL ELSE \(decision) END,
                decided_at = CASE WHEN \(parks) THEN NULL ELSE now() END,
                comment = \(comment)
            WHERE id = \(stage)
            """, logger: logger)
    }

    /// Ends the levels never reached (after a rejection or a withdrawal).
    func cancelRemaining(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE stages SET status = 'cancelled' WHERE application_id = \(id) AND status IN ('waiting', 'open')", logger: logger)
    }

    /// Who decided a level of this application already: none of them may decide another.
    func deciders(of id: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            "SELECT decided_by FROM stages WHERE application_id = \(id) AND decided_by IS NOT NULL", logger: logger)
        var deciders: [UUID] = []
        for try await decider in rows.decode(UUID.self) { deciders.append(decider) }
        return deciders
    }

    func stages(of id: UUID, on connection: PostgresConnection? = nil) async throws -> [ApprovalStage] {
        try await stages("SELECT \(unescaped: Self.columns) FROM stages WHERE application_id = \(id) ORDER BY level", on: connection)
    }

    func stage(_ id: UUID, on connection: PostgresConnection? = nil) async throws -> ApprovalStage? {
        try await stages("SELECT \(unescaped: Self.columns) FROM stages WHERE id = \(id)", on: connection).first
    }

    /// Open stages past due and not waiting for the client, oldest first; locked, skipping any a
    /// decision holds right now.
    func overdue(limit: Int, on connection: PostgresConnection) async throws -> [ApprovalStage] {
        try await stages(
            """
            SELECT \(unescaped: Self.columns) FROM stages WHERE status = 'open' AND NOT awaiting_documents AND due_at < now()
            ORDER BY due_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, on: connection)
    }

    /// Open stages nobody could be given when they opened.
    func unassigned(limit: Int, on connection: PostgresConnection) async throws -> [ApprovalStage] {
        try await stages(
            """
            SELECT \(unescaped: Self.columns) FROM stages WHERE status = 'open' AND assignee_id IS NULL
            ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, on: connection)
    }

    func tasks(_ filter: TaskFilter, page: PageRequest) async throws -> (total: Int, items: [ApprovalStage]) {
        let matching: PostgresQuery = try """
        FROM stages
        WHERE (\(filter.assignee)::uuid IS NULL OR assignee_id = \(filter.assignee))
          AND (\(filter.status)::text IS NULL OR status = \(filter.status))
          AND (\(filter.role)::text IS NULL OR role = \(filter.role))
          AND (\(filter.applicationID)::uuid IS NULL OR application_id = \(filter.applicationID))
          AND (\(filter.overdue)::bool IS NULL OR (\(unescaped: Self.overdueExpression)) = \(filter.overdue))
        """
        let (total, rows) = try await database.listing(
            select: Self.columns, matching, orderBy: "created_at DESC, level", limit: page.pageSize, offset: page.offset)
        return (total, try await Self.decode(rows))
    }

    struct TaskFilter: Sendable {
        var assignee: UUID?
        var status: ApprovalStage.Status?
        var role: Role?
        var applicationID: UUID?
        var overdue: Bool?
    }

    private static let overdueExpression = "status = 'open' AND NOT awaiting_documents AND due_at < now()"
    private static let columns = """
        id, application_id, level, role, status, assignee_id, decided_by, decision, comment, due_at, decided_at,
        (\(overdueExpression)) AS overdue, awaiting_documents
        """

    private func stages(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [ApprovalStage] {
        try await Self.decode(try await database.query(query, on: connection))
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [ApprovalStage] {
        var stages: [ApprovalStage] = []
        for try await (id, application, level, role, status, assignee, decidedBy, decision, comment, due, decidedAt, overdue, parked)
            in rows.decode(
                (UUID, UUID, Int, Role, ApprovalStage.Status, UUID?, UUID?, ApprovalDecision?, String?, Date?, Date?, Bool, Bool).self)
        {
            stages.append(
                ApprovalStage(
                    id: id, applicationID: application, level: level, role: role, status: status, assigneeID: assignee,
                    decidedBy: decidedBy, decision: decision, comment: comment, dueAt: due, decidedAt: decidedAt, overdue: overdue,
                    awaitingDocuments: parked))
        }
        return stages
    }
}

/// Stored as its raw value in `workflows.status`.
extension WorkflowStore.Status: StoredAsText {}
