import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `customers`.
struct CustomerStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func section<Section: CustomerSection>(_ type: Section.Type, of userID: UUID) async throws -> VersionedSection<Section>? {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Section.name)::text, version FROM customers
            WHERE user_id = \(userID) AND \(unescaped: Section.name) IS NOT NULL
            """, logger: logger)
        for try await (json, version) in rows.decode((String, Int).self) {
            return VersionedSection(section: try JSON.decode(Section.self, from: Array(json.utf8)), version: version)
        }
        return nil
    }

    /// Replaces one section (creating the file on first use); nil if `expectedVersion` is stale.
    func put<Section: CustomerSection>(
        _ section: Section, of userID: UUID, expectedVersion: Int?, on connection: PostgresConnection
    ) async throws -> VersionedSection<Section>? {
        let json = String(decoding: try JSON.encode(section), as: UTF8.self)
        let column = Section.name
        let rows = try await connection.query(
            """
            INSERT INTO customers (user_id, \(unescaped: column)) VALUES (\(userID), \(json)::jsonb)
            ON CONFLICT (user_id) DO UPDATE SET \(unescaped: column) = EXCLUDED.\(unescaped: column),
                version = customers.version + 1, updated_at = now()
            WHERE \(expectedVersion)::int IS NULL OR customers.version = \(expectedVersion)
            RETURNING version
            """, logger: logger)
        for try await version in rows.decode(Int.self) { return VersionedSection(section: section, version: version) }
        return nil
    }

    func customer(_ userID: UUID, on connection: PostgresConnection? = nil, locking: Bool = false) async throws -> Customer? {
        try await Self.customers(
            database.query(
                "SELECT \(unescaped: Self.columns) FROM customers WHERE user_id = \(userID)\(unescaped: locking ? " FOR UPDATE" : "")",
                on: connection)
        ).first
    }

    /// Writes the sections given (the others stay) in one step, creating the file if `creating`;
    /// nil when the file is missing (and not created) or `expectedVersion` is stale.
    func write(
        _ sections: CustomersRPC.Sections, of userID: UUID, expectedVersion: Int?, creating: Bool, on connection: PostgresConnection
    ) async throws -> Customer? {
        func json(_ section: (some Encodable)?) throws -> String? {
            try section.map { String(decoding: try JSON.encode($0), as: UTF8.self) }
        }
        let (profile, financial, employment) = (try json(sections.profile), try json(sections.financial), try json(sections.employment))
        if creating {
            try await connection.query("INSERT INTO customers (user_id) VALUES (\(userID)) ON CONFLICT DO NOTHING", logger: logger)
        }
        return try await Self.customers(
            connection.query(
                """
                UPDATE customers SET profile = coalesce(\(profile)::jsonb, profile), financial = coalesce(\(financial)::jsonb, financial),
                    employment = coalesce(\(employment)::jsonb, employment), version = version + 1, updated_at = now()
                WHERE user_id = \(userID) AND (\(expectedVersion)::int IS NULL OR version = \(expectedVersion))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
        ).first
    }

    func loanSummary(_ customerID: UUID) async throws -> Customer.LoanSummary {
        let rows = try await database.client.query(
            """
            SELECT (SELECT count(*)::int FROM applications WHERE customer_id = \(customerID)),
                   (SELECT count(*)::int FROM loans WHERE customer_id = \(customerID) AND status = 'active'),
                   (SELECT count(*)::int FROM loans WHERE customer_id = \(customerID) AND status = 'closed'),
                   (SELECT coalesce(sum(l.principal - (SELECT coalesce(sum(paid_principal), 0) FROM instalments i WHERE i.loan_id = l.id)), 0)
                    FROM loans l WHERE l.customer_id = \(customerID) AND l.status = 'active')
            """, logger: logger)
        for try await (applications, active, closed, outstanding) in rows.decode((Int, Int, Int, Money).self) {
            return .init(applications: applications, activeLoans: active, closedLoans: closed, outstandingPrincipal: outstanding)
        }
        return .init(applications: 0, activeLoans: 0, closedLoans: 0, outstandingPrincipal: .zero)
    }

    func list(_ request: CustomersRPC.List.Request) async throws -> Page<Customer> {
        let pattern = request.q.map(Database.containsPattern)
        let (total, rows) = try await database.listing(
            select: Self.columns,
            """
            FROM customers WHERE \(pattern)::text IS NULL OR profile->>'full_name' ILIKE \(pattern)
                OR profile->>'phone' ILIKE \(pattern) OR profile->>'national_id' ILIKE \(pattern)
            """, orderBy: "created_at DESC, user_id", limit: request.page.pageSize, offset: request.page.offset)
        return Page(items: try await Self.customers(rows), request: request.page, total: total)
    }

    private static let columns = "user_id, profile::text, financial::text, employment::text, version, updated_at"

    private static func customers(_ rows: PostgresRowSequence) async throws -> [Customer] {
        func decode<Section: CustomerSection>(_ json: String?, as type: Section.Type) throws -> Section? {
            try json.map { try JSON.decode(Section.self, from: Array($0.utf8)) }
        }
        var customers: [Customer] = []
        for try await (id, profile, financial, employment, version, updatedAt) in rows.decode(
            (UUID, String?, String?, String?, Int, Date).self)
        {
            customers.append(
                Customer(
                    id: id, profile: try decode(profile, as: PersonalDetails.self),
                    financial: try decode(financial, as: FinancialDetails.self),
                    employment: try decode(employment, as: EmploymentDetails.self), version: version, updatedAt: updatedAt))
        }
        return customers
    }
}
