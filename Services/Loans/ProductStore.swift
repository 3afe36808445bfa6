import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `products`.
struct ProductStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    private static let columns = """
        id, name, type, min_amount, max_amount, min_term_months, max_term_months, annual_rate,
        processing_fee_percent, prepayment_fee_percent, required_documents, active, version, created_at, updated_at
        """

    /// `fields` were completed by `ProductRules.merge` (a field left out would be a NULL the table refuses).
    func insert(id: UUID, _ fields: ProductsRPC.Fields) async throws -> Product? {
        try await first(
            database.client.query(
                """
                INSERT INTO products (id, name, type, min_amount, max_amount, min_term_months, max_term_months,
                    annual_rate, processing_fee_percent, prepayment_fee_percent, required_documents, active)
                VALUES (\(id), \(fields.name), \(fields.type), \(fields.minAmount), \(fields.maxAmount), \(fields.minTermMonths),
                    \(fields.maxTermMonths), \(fields.annualRate), \(fields.processingFeePercent), \(fields.prepaymentFeePercent),
                    \(fields.requiredDocuments), \(fields.active))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger))
    }

    /// Writes all fields if the row is still at `expectedVersion`; nil otherwise. `fields` as for `insert`.
    func update(id: UUID, _ fields: ProductsRPC.Fields, expectedVersion: Int) async throws -> Product? {
        try await first(
            database.client.query(
                """
                UPDATE products SET name = \(fields.name), type = \(fields.type), min_amount = \(fields.minAmount),
                    max_amount = \(fields.maxAmount), min_term_months = \(fields.minTermMonths), max_term_months = \(fields.maxTermMonths),
                    annual_rate = \(fields.annualRate), processing_fee_percent = \(fields.processingFeePercent),
                    prepayment_fee_percent = \(fields.prepaymentFeePercent), required_documents = \(fields.requiredDocuments),
                    active = \(fields.active), version = version + 1, updated_at = now()
                WHERE id = \(id) AND version = \(expectedVersion)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger))
    }

    func product(id: UUID) async throws -> Product? {
        try await first(
            database.client.query(
                "SELECT \(unescaped: Self.columns) FROM products WHERE id = \(id)", logger: logger))
    }

    func list(_ request: ProductsRPC.List.Request) async throws -> Page<Product> {
        let (total, rows) = try await database.listing(
            select: Self.columns,
            """
            FROM products
            WHERE (\(request.type)::text IS NULL OR type = \(request.type))
              AND (\(request.minAmount)::numeric IS NULL OR max_amount >= \(request.minAmount))
              AND (\(request.maxAmount)::numeric IS NULL OR min_amount <= \(request.maxAmount))
              AND (\(request.active)::boolean IS NULL OR active = \(request.active))
            """, orderBy: "created_at DESC, id", limit: request.page.pageSize, offset: request.page.offset)
        return Page(items: try await Self.products(rows), request: request.page, total: total)
    }

    private func first(_ rows: PostgresRowSequence) async throws -> Product? {
        try await Self.products(rows).first
    }

    private static func products(_ rows: PostgresRowSequence) async throws -> [Product] {
        var products: [Product] = []
        for try await row in rows {
            let (
                id, name, type, minAmount, maxAmount, minTerm, maxTerm, rate, processing, prepayment, documents, active, version, created,
                updated
            ) =
                try row.decode(
                    (UUID, String, ProductType, Money, Money, Int, Int, Percent, Percent, Percent, [DocumentType], Bool, Int, Date, Date)
                        .self)
            products.append(
                Product(
                    id: id, name: name, type: type, minAmount: minAmount, maxAmount: maxAmount, minTermMonths: minTerm,
                    maxTermMonths: maxTerm, annualRate: rate, processingFeePercent: processing,
                    prepaymentFeePercent: prepayment, requiredDocuments: documents,
                    active: active, version: version, createdAt: created, updatedAt: updated))
        }
        return products
    }
}
