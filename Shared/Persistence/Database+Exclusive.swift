import PostgresNIO

extension Database {
    /// Runs `body` in a transaction that holds the transaction-level advisory lock named `lock`, if
    /// no other session holds it; nil when one does. Periodic sweeps use it so that with several
    /// replicas exactly one sweeps at a time and the others skip that tick.
    ///
    /// - Parameters:
    ///   - lock: any name, hashed to the lock's key (`hashtext`). Advisory locks are
    ///     database-wide, so name the service in it (`loans:overdue-sweep`).
    ///   - body: the work, on the transaction's connection; the lock is held until it commits.
    /// - Returns: what `body` returned, or nil (without running it) when the lock was taken.
    public func transactionAlone<Result: Sendable>(
        lock: String, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result? {
        try await transaction { connection in
            var locked = false
            for try await got in try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext(\(lock)))", logger: logger)
                .decode(Bool.self)
            {
                locked = got
            }
            guard locked else { return nil }
            return try await body(connection)
        }
    }
}
