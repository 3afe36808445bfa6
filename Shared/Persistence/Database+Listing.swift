import PostgresNIO

extension Database {
    /// One page of a filtered list and how many rows match in all. `filter` is the query's
    /// `FROM … WHERE …` part, used for both the count and the page, so they always agree.
    public func listing(
        select columns: String, _ filter: String, binds: PostgresBindings, orderBy order: String, limit: Int, offset: Int
    ) async throws -> (total: Int, rows: PostgresRowSequence) {
        var total = 0
        for try await count in try await client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int " + filter, binds: binds), logger: logger
        ).decode(Int.self) { total = count }
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT \(columns) \(filter) ORDER BY \(order) LIMIT \(limit) OFFSET \(offset)", binds: binds),
            logger: logger)
        return (total, rows)
    }

    /// An `ILIKE` pattern matching `text` anywhere, with the pattern characters in it taken literally.
    public static func containsPattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
