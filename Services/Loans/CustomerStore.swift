import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `loans.customers`.
struct CustomerStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    func section<Section: CustomerSection>(_ type: Section.Type, of userID: UUID) async throws -> VersionedSection<Section>? {
        let rows = try await database.client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Section.name)::text, version FROM loans.customers WHERE user_id = $1 AND \(Section.name) IS NOT NULL",
                binds: Self.binds(userID)), logger: logger)
        for try await (json, version) in rows.decode((String, Int).self) {
            return VersionedSection(section: try JSON.decode(Section.self, from: Array(json.utf8)), version: version)
        }
        return nil
    }

    /// Replaces one section (creating the file on first use); nil if `expectedVersion` is stale.
    func put<Section: CustomerSection>(
        _ section: Section, of userID: UUID, expectedVersion: Int?, on connection: PostgresConnection
    ) async throws -> VersionedSection<Section>? {
        var binds = Self.binds(userID)
        binds.append(String(decoding: try JSON.encode(section), as: UTF8.self))
        binds.append(expectedVersion)
        let column = Section.name
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO loans.customers (user_id, \(column)) VALUES ($1, $2::jsonb)
                    ON CONFLICT (user_id) DO UPDATE SET \(column) = EXCLUDED.\(column),
                        version = loans.customers.version + 1, updated_at = now()
                    WHERE $3::int IS NULL OR loans.customers.version = $3
                    RETURNING version
                    """, binds: binds), logger: logger)
        for try await version in rows.decode(Int.self) { return VersionedSection(section: section, version: version) }
        return nil
    }

    func customer(_ userID: UUID, on connection: PostgresConnection? = nil, locking: Bool = false) async throws -> Customer? {
        try await Self.customers(database.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.columns) FROM loans.customers WHERE user_id = $1\(locking ? " FOR UPDATE" : "")", binds: Self.binds(userID)),
            on: connection)).first
    }

    /// Writes the sections given (the others stay) in one step, creating the file if `creating`;
    /// nil when the file is missing (and not created) or `expectedVersion` is stale.
    func write(
        _ sections: CustomersRPC.Sections, of userID: UUID, expectedVersion: Int?, creating: Bool, on connection: PostgresConnection
    ) async throws -> Customer? {
        func json(_ section: (some Encodable)?) throws -> String? { try section.map { String(decoding: try JSON.encode($0), as: UTF8.self) } }
        var binds = Self.binds(userID)
        binds.append(try json(sections.profile))
        binds.append(try json(sections.financial))
        binds.append(try json(sections.employment))
        binds.append(expectedVersion)
        if creating {
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO loans.customers (user_id) VALUES ($1) ON CONFLICT DO NOTHING", binds: Self.binds(userID)),
                logger: logger)
        }
        return try await Self.customers(connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE loans.customers SET profile = coalesce($2::jsonb, profile), financial = coalesce($3::jsonb, financial),
                        employment = coalesce($4::jsonb, employment), version = version + 1, updated_at = now()
                    WHERE user_id = $1 AND ($5::int IS NULL OR version = $5)
                    RETURNING \(Self.columns)
                    """, binds: binds), logger: logger)).first
    }

    func loanSummary(_ customerID: UUID) async throws -> Customer.LoanSummary {
        let rows = try await database.client.query(
            """
            SELECT (SELECT count(*)::int FROM loans.applications WHERE customer_id = \(customerID)),
                   (SELECT count(*)::int FROM loans.loans WHERE customer_id = \(customerID) AND status = 'active'),
                   (SELECT count(*)::int FROM loans.loans WHERE customer_id = \(customerID) AND status = 'closed'),
                   (SELECT coalesce(sum(l.principal - (SELECT coalesce(sum(paid_principal), 0) FROM loans.instalments i WHERE i.loan_id = l.id)), 0)
                    FROM loans.loans l WHERE l.customer_id = \(customerID) AND l.status = 'active')
            """, logger: logger)
        for try await (applications, active, closed, outstanding) in rows.decode((Int, Int, Int, Decimal).self) {
            return .init(applications: applications, activeLoans: active, closedLoans: closed, outstandingPrincipal: Money(outstanding))
        }
        return .init(applications: 0, activeLoans: 0, closedLoans: 0, outstandingPrincipal: .zero)
    }

    func list(_ request: CustomersRPC.List.Request) async throws -> Page<Customer> {
        var binds = PostgresBindings()
        binds.append(request.q.map(Database.containsPattern))
        let (total, rows) = try await database.listing(
            select: Self.columns,
            """
            FROM loans.customers WHERE $1::text IS NULL OR profile->>'full_name' ILIKE $1
                OR profile->>'phone' ILIKE $1 OR profile->>'national_id' ILIKE $1
            """, binds: binds, orderBy: "created_at DESC, user_id", limit: request.page.pageSize, offset: request.page.offset)
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
            customers.append(Customer(
                id: id, profile: try decode(profile, as: PersonalDetails.self), financial: try decode(financial, as: FinancialDetails.self),
                employment: try decode(employment, as: EmploymentDetails.self), version: version, updatedAt: updatedAt))
        }
        return customers
    }

    private static func binds(_ id: UUID) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }
}
