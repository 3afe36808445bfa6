import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `loans.products`.
struct ProductStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    private static let columns = """
        id, name, type, min_amount, max_amount, min_term_months, max_term_months, annual_rate,
        processing_fee_percent, prepayment_fee_percent, required_documents, active, version, created_at, updated_at
        """

    func insert(id: UUID, _ fields: ProductsRPC.Fields) async throws -> Product? {
        try await first(database.client.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO loans.products (id, name, type, min_amount, max_amount, min_term_months, max_term_months,
                        annual_rate, processing_fee_percent, prepayment_fee_percent, required_documents, active)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    RETURNING \(Self.columns)
                    """, binds: try Self.binds(id: id, fields)), logger: logger))
    }

    /// Writes all fields if the row is still at `expectedVersion`; nil otherwise.
    func update(id: UUID, _ fields: ProductsRPC.Fields, expectedVersion: Int) async throws -> Product? {
        var binds = try Self.binds(id: id, fields)
        binds.append(expectedVersion)
        return try await first(database.client.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE loans.products SET name = $2, type = $3, min_amount = $4, max_amount = $5,
                        min_term_months = $6, max_term_months = $7, annual_rate = $8, processing_fee_percent = $9,
                        prepayment_fee_percent = $10, required_documents = $11, active = $12,
                        version = version + 1, updated_at = now()
                    WHERE id = $1 AND version = $13
                    RETURNING \(Self.columns)
                    """, binds: binds), logger: logger))
    }

    func product(id: UUID) async throws -> Product? {
        try await first(database.client.query(
            "SELECT \(unescaped: Self.columns) FROM loans.products WHERE id = \(id)", logger: logger))
    }

    func list(_ request: ProductsRPC.List.Request) async throws -> Page<Product> {
        var binds = PostgresBindings()
        binds.append(request.type?.rawValue)
        try binds.append(request.minAmount?.decimal)
        try binds.append(request.maxAmount?.decimal)
        binds.append(request.active)
        let (total, rows) = try await database.listing(
            select: Self.columns,
            """
            FROM loans.products
            WHERE ($1::text IS NULL OR type = $1)
              AND ($2::numeric IS NULL OR max_amount >= $2)
              AND ($3::numeric IS NULL OR min_amount <= $3)
              AND ($4::boolean IS NULL OR active = $4)
            """, binds: binds, orderBy: "created_at DESC, id", limit: request.page.pageSize, offset: request.page.offset)
        return Page(items: try await Self.products(rows), request: request.page, total: total)
    }

    private func first(_ rows: PostgresRowSequence) async throws -> Product? {
        try await Self.products(rows).first
    }

    private static func products(_ rows: PostgresRowSequence) async throws -> [Product] {
        var products: [Product] = []
        for try await row in rows {
            let (id, name, type, minAmount, maxAmount, minTerm, maxTerm, rate, processing, prepayment, documents, active, version, created, updated) =
                try row.decode((UUID, String, String, Decimal, Decimal, Int, Int, Decimal, Decimal, Decimal, [String], Bool, Int, Date, Date).self)
            guard let type = ProductType(rawValue: type) else { throw StoreError.corruptRow("product \(id) has type \(type)") }
            products.append(Product(
                id: id, name: name, type: type, minAmount: Money(minAmount), maxAmount: Money(maxAmount), minTermMonths: minTerm,
                maxTermMonths: maxTerm, annualRate: Percent(rate), processingFeePercent: Percent(processing),
                prepaymentFeePercent: Percent(prepayment), requiredDocuments: documents.compactMap(DocumentType.init(rawValue:)),
                active: active, version: version, createdAt: created, updatedAt: updated))
        }
        return products
    }

    /// Binds $1…$12 in the column order of `insert`; `fields` were completed by `ProductRules.merge`.
    private static func binds(id: UUID, _ fields: ProductsRPC.Fields) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(fields.name ?? "")
        binds.append(fields.type?.rawValue ?? "")
        try binds.append(fields.minAmount?.decimal ?? 0)
        try binds.append(fields.maxAmount?.decimal ?? 0)
        binds.append(fields.minTermMonths ?? 0)
        binds.append(fields.maxTermMonths ?? 0)
        try binds.append(fields.annualRate?.decimal ?? 0)
        try binds.append(fields.processingFeePercent?.decimal ?? 0)
        try binds.append(fields.prepaymentFeePercent?.decimal ?? 0)
        binds.append((fields.requiredDocuments ?? []).map(\.rawValue))
        binds.append(fields.active ?? true)
        return binds
    }
}
