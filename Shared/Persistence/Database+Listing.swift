import PostgresNIO

extension Database {
    /// One page of a filtered list and how many rows match in all. `filter` is the query's
    /// `FROM … WHERE …` part with its binds, used for both the count and the page, so they always
    /// agree; `columns` and `order` are the caller's SQL, never input.
    ///
    /// - Parameters:
    ///   - columns: the select list, e.g. `"id, status, created_at"`.
    ///   - filter: `FROM … WHERE …` as an interpolated `PostgresQuery`, so input goes in as binds.
    ///   - order: the `ORDER BY` list; end it with a unique column so pages never overlap.
    ///   - limit: the page size (`PageRequest.pageSize`).
    ///   - offset: the rows before the page (`PageRequest.offset`).
    /// - Returns: the number of rows matching `filter`, and the page's rows (two queries, outside
    ///   any transaction: the count can differ from a page read a moment later).
    public func listing(
        select columns: String, _ filter: PostgresQuery, orderBy order: String, limit: Int, offset: Int
    ) async throws -> (total: Int, rows: PostgresRowSequence) {
        var total = 0
        let count = PostgresQuery(unsafeSQL: "SELECT count(*)::int " + filter.sql, binds: filter.binds)
        for try await rows in try await client.query(count, logger: logger).decode(Int.self) { total = rows }
        let page = PostgresQuery(
            unsafeSQL: "SELECT \(columns) \(filter.sql) ORDER BY \(order) LIMIT \(limit) OFFSET \(offset)", binds: filter.binds)
        return (total, try await client.query(page, logger: logger))
    }

    /// An `ILIKE` pattern matching `text` anywhere, with the pattern characters in it taken literally.
    ///
    /// - Returns: `text` with `\`, `%` and `_` escaped by a backslash (PostgreSQL's default `ESCAPE`),
    ///   between two `%`: bind it, as in `name ILIKE \(pattern)`.
    public static func containsPattern(_ text: String) -> String {
        "%"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
