import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// The SQL of `applications` and its timeline.
struct ApplicationStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    struct NewApplication: Sendable {
        let id: UUID
        let customerID: UUID
        let product: Product
        let amount: Money
        let termMonths: Int
        let purpose: String
        let snapshot: ApplicantSnapshot
    }

    /// Stores a submitted application with its first timeline entry and status-changed event, and
    /// returns it as a read would (without reading it back: it has no documents yet).
    func insert(_ new: NewApplication, on connection: PostgresConnection) async throws -> Application {
        let snapshot = String(decoding: try JSON.encode(new.snapshot), as: UTF8.self)
        let rows = try await connection.query(
            """
            WITH application AS (
                INSERT INTO applications (id, customer_id, product_id, amount, term_months, annual_rate, purpose,
                    status, snapshot, required_documents)
                VALUES (\(new.id), \(new.customerID), \(new.product.id), \(new.amount), \(new.termMonths), \(new.product.annualRate),
                        \(new.purpose), 'submitted', \(snapshot)::jsonb, \(new.product.requiredDocuments))
                RETURNING id, created_at)
            INSERT INTO application_timeline (application_id, status, actor_id, at)
            SELECT id, 'submitted', \(new.customerID), created_at FROM application RETURNING at
            """, logger: logger)
        var createdAt: Date?
        for try await at in rows.decode(Date.self) { createdAt = at }
        guard let createdAt else { throw UnreadableRow("application \(new.id) was not stored") }
        try await database.outbox.publish(
            LoansEvents.ApplicationStatusChanged(
                applicationID: new.id, customerID: new.customerID, from: nil, to: .submitted, actorID: new.customerID, occurredAt: Date()),
            on: connection)
        return Application(
            id: new.id, customerID: new.customerID, productID: new.product.id, amount: new.amount, termMonths: new.termMonths,
            purpose: new.purpose, status: .submitted, version: 1, createdAt: createdAt, updatedAt: createdAt, requestedDocuments: [],
            missingDocuments: new.product.requiredDocuments, documents: [],
            timeline: [.init(at: createdAt, status: .submitted, actorID: new.customerID)])
    }

    /// An application's state as read (and, from `lock`, locked) in the current transaction.
    struct Current: Sendable {
        let status: ApplicationStatus
        let version: Int
        let customerID: UUID
        /// The `sequence` of the last of approvals' events applied (see `ApplicationMoveEvent`).
        let approvalsSequence: Int
    }

    /// Moves an application if it is still at the version read, with its timeline entry and the
    /// status-changed event, all in the caller's transaction; false if someone moved it first.
    /// `approvalsSequence` records the approvals event that caused the move, if one did.
    func move(
        _ id: UUID, from current: Current, to status: ApplicationStatus, actor: UUID?, approvalsSequence: Int? = nil,
        on connection: PostgresConnection
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            WITH moved AS (
                UPDATE applications SET status = \(status), version = version + 1, updated_at = now(),
                    approvals_sequence = coalesce(\(approvalsSequence), approvals_sequence)
                WHERE id = \(id) AND version = \(current.version) RETURNING id)
            INSERT INTO application_timeline (application_id, status, actor_id)
            SELECT id, \(status), \(actor) FROM moved RETURNING application_id
            """, logger: logger)
        var moved = false
        for try await _ in rows { moved = true }
        guard moved else { return false }
        try await database.outbox.publish(
            LoansEvents.ApplicationStatusChanged(
                applicationID: id, customerID: current.customerID, from: current.status, to: status, actorID: actor, occurredAt: Date()),
            on: connection)
        return true
    }

    /// The application's status and version, locked until the transaction ends.
    func lock(_ id: UUID, on connection: PostgresConnection) async throws -> Current? {
        let rows = try await connection.query(
            "SELECT status, version, customer_id, approvals_sequence FROM applications WHERE id = \(id) FOR UPDATE",
            logger: logger)
        for try await (status, version, customer, sequence) in rows.decode((ApplicationStatus, Int, UUID, Int).self) {
            return Current(status: status, version: version, customerID: customer, approvalsSequence: sequence)
        }
        return nil
    }

    /// Records an approvals event that no longer moves the application (see `ApplicationMoveEvent`).
    func skipApprovalsEvent(_ id: UUID, sequence: Int, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE applications SET approvals_sequence = \(sequence) WHERE id = \(id)", logger: logger)
    }

    /// What a loan is made of: the approved amount, term and rate, and the product's processing fee.
    func loanTerms(
        _ id: UUID, on connection: PostgresConnection
    ) async throws -> (amount: Money, term: Int, rate: Percent, feePercent: Percent)? {
        let rows = try await connection.query(
            """
            SELECT a.amount, a.term_months, a.annual_rate, p.processing_fee_percent
            FROM applications a JOIN products p ON p.id = a.product_id WHERE a.id = \(id)
            """, logger: logger)
        for try await terms in rows.decode((Money, Int, Percent, Percent).self) {
            return terms
        }
        return nil
    }

    func setRequestedDocuments(_ id: UUID, _ documents: [DocumentType], on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE applications SET requested_documents = \(documents) WHERE id = \(id)", logger: logger)
    }

    func application(_ id: UUID, on connection: PostgresConnection? = nil) async throws -> Application? {
        let query: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM applications WHERE id = \(id)"
        guard var application = try await Self.applications(try await database.query(query, on: connection)).first else { return nil }
        application.timeline = try await timeline(id, on: connection)
        application.documents = try await documents(of: id, on: connection).map(\.document)
        application.waivers = try await waivers(of: id, on: connection)
        let provided = Set(application.documents.map(\.documentType)).union(application.waivers.map(\.documentType))
        application.missingDocuments.removeAll { provided.contains($0) }
        return application
    }

    /// Records a waiver; false when that document was waived already.
    func insertWaiver(_ waiver: DocumentWaiver, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO waivers (id, application_id, document_type, reason, waived_by, created_at)
            VALUES (\(waiver.id), \(waiver.applicationID), \(waiver.documentType), \(waiver.reason), \(waiver.waivedBy), \(waiver.createdAt))
            ON CONFLICT (application_id, document_type) DO NOTHING RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func waivers(of applicationID: UUID, on connection: PostgresConnection? = nil) async throws -> [DocumentWaiver] {
        let query: PostgresQuery = """
            SELECT id, document_type, reason, waived_by, created_at FROM waivers
            WHERE application_id = \(applicationID) ORDER BY created_at, id
            """
        var waivers: [DocumentWaiver] = []
        for try await (id, type, reason, waivedBy, at) in try await database.query(query, on: connection).decode(
            (UUID, DocumentType, String, UUID, Date).self)
        {
            waivers.append(
                .init(id: id, applicationID: applicationID, documentType: type, reason: reason, waivedBy: waivedBy, createdAt: at))
        }
        return waivers
    }

    /// Previous loans of a customer here, for the snapshot's repayment history.
    func repaymentHistory(of customerID: UUID) async throws -> ApplicantSnapshot.RepaymentHistory {
        let rows = try await database.client.query(
            """
            SELECT count(*) FILTER (WHERE status IN ('disbursed', 'closed'))::int, count(*) FILTER (WHERE status = 'closed')::int,
                (SELECT count(*)::int FROM instalments i JOIN loans l ON l.id = i.loan_id
                 WHERE l.customer_id = \(customerID) AND l.status = 'active' AND i.due_date < current_date
                   AND i.paid_principal + i.paid_interest < i.payment)
            FROM applications WHERE customer_id = \(customerID)
            """, logger: logger)
        for try await (previous, closed, overdue) in rows.decode((Int, Int, Int).self) {
            return .init(previousLoans: previous, closedLoans: closed, overdueInstalments: overdue)
        }
        return .init(previousLoans: 0, closedLoans: 0, overdueInstalments: 0)
    }

    func list(_ request: ApplicationsRPC.List.Request) async throws -> Page<Application> {
        let filter: PostgresQuery = try """
        FROM applications
        WHERE (\(request.status)::text IS NULL OR status = \(request.status))
          AND (\(request.minAmount)::numeric IS NULL OR amount >= \(request.minAmount))
          AND (\(request.maxAmount)::numeric IS NULL OR amount <= \(request.maxAmount))
          AND (\(request.from)::date IS NULL OR created_at >= (\(request.from)::date AT TIME ZONE 'UTC'))
          AND (\(request.to)::date IS NULL OR created_at < ((\(request.to)::date + 1) AT TIME ZONE 'UTC'))
          AND (\(request.customerID)::uuid IS NULL OR customer_id = \(request.customerID))
          AND (\(request.productID)::uuid IS NULL OR product_id = \(request.productID))
        """
        let order =
            switch request.sort ?? .newestFirst {
            case .createdAt: "created_at ASC, id"
            case .newestFirst: "created_at DESC, id"
            case .amount: "amount ASC, created_at DESC, id"
            case .largestFirst: "amount DESC, created_at DESC, id"
            }
        let (total, rows) = try await database.listing(
            select: Self.columns, filter, orderBy: order, limit: request.page.pageSize, offset: request.page.offset)
        return Page(items: try await Self.applications(rows), request: request.page, total: total)
    }

    /// What a staff list shows of those of `ids` that exist: amount, product name, applicant name.
    func summaries(of ids: [UUID]) async throws -> [ApplicationsRPC.Summary] {
        let rows = try await database.query(
            """
            SELECT a.id, a.amount, p.name, c.profile->>'full_name'
            FROM applications a JOIN products p ON p.id = a.product_id
            LEFT JOIN customers c ON c.user_id = a.customer_id
            WHERE a.id = ANY(\(ids))
            """, on: nil)
        var summaries: [ApplicationsRPC.Summary] = []
        for try await (id, amount, product, applicant) in rows.decode((UUID, Money, String, String?).self) {
            summaries.append(.init(id: id, amount: amount, productName: product, applicantName: applicant))
        }
        return summaries
    }

    func insertDocument(
        _ document: Document, applicationID: UUID, blobKey: String, uploadedBy: UUID, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO documents (id, application_id, document_type, filename, content_type, size, sha256, blob_key, uploaded_by, uploaded_at)
            VALUES (\(document.id), \(applicationID), \(document.documentType), \(document.filename), \(document.contentType),
                    \(document.size), \(document.sha256), \(blobKey), \(uploadedBy), \(document.uploadedAt))
            """, logger: logger)
    }

    func documents(of applicationID: UUID, on connection: PostgresConnection? = nil) async throws -> [(document: Document, blobKey: String)]
    {
        var documents: [(Document, String)] = []
        for try await (id, type, filename, contentType, size, sha, key, at) in try await database.query(
            """
            SELECT id, document_type, filename, content_type, size, sha256, blob_key, uploaded_at
            FROM documents WHERE application_id = \(applicationID) ORDER BY uploaded_at, id
            """, on: connection
        ).decode((UUID, DocumentType, String, String, Int, String, String, Date).self) {
            documents.append(
                (
                    Document(
                        id: id, documentType: type, filename: filename, contentType: contentType, size: size, sha256: sha, uploadedAt: at),
                    key
                ))
        }
        return documents
    }

    private func timeline(_ id: UUID, on connection: PostgresConnection?) async throws -> [Application.TimelineEntry] {
        var entries: [Application.TimelineEntry] = []
        for try await (at, status, actor) in try await database.query(
            "SELECT at, status, actor_id FROM application_timeline WHERE application_id = \(id) ORDER BY id", on: connection
        ).decode((Date, ApplicationStatus, UUID?).self) {
            entries.append(.init(at: at, status: status, actorID: actor))
        }
        return entries
    }

    private static let columns = """
        id, customer_id, product_id, amount, term_months, purpose, status, version, created_at, updated_at,
        required_documents, requested_documents
        """

    private static func applications(_ rows: PostgresRowSequence) async throws -> [Application] {
        var applications: [Application] = []
        for try await row in rows {
            let (id, customer, product, amount, term, purpose, status, version, created, updated, required, requested) = try row.decode(
                (UUID, UUID, UUID, Money, Int, String, ApplicationStatus, Int, Date, Date, [DocumentType], [DocumentType]).self)
            applications.append(
                Application(
                    id: id, customerID: customer, productID: product, amount: amount, termMonths: term, purpose: purpose,
                    status: status, version: version, createdAt: created, updatedAt: updated, requestedDocuments: requested,
                    missingDocuments: required, documents: [], timeline: []))
        }
        return applications
    }
}
