import Logging
import PostgresNIO

/// A service's view of PostgreSQL: the shared client and the one schema the service owns.
///
/// The schema is configuration, not part of the SQL: every connection of the client starts with
/// `search_path` set to it, so stores name their tables unqualified, and a test can give each
/// case a schema of its own on one server.
public struct Database: Sendable {
    /// Run it (`client.run()`) for as long as the database is used.
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger

    /// A client for the database at `url` (see `PostgresClient.Configuration.init(url:maximumConnections:)`)
    /// whose connections resolve table names in `schema`. Nothing connects until `client` runs.
    ///
    /// - Parameters:
    ///   - url: `DATABASE_URL`, read as `PostgresClient.Configuration.init(url:maximumConnections:)`
    ///     reads it.
    ///   - schema: the schema the service owns: lowercase letters, digits and `_` only (a
    ///     precondition), since it goes into SQL as a name. ``Migrator`` creates it.
    ///   - maximumConnections: the size of the client's pool.
    /// - Throws: ``DatabaseConfigurationError/invalidURL(_:)`` when `url` is not a `postgres://` URL
    ///   with a host and a user.
    public init(url: String, schema: String, maximumConnections: Int = 10, logger: Logger) throws {
        precondition(
            !schema.isEmpty && schema.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "schema names are plain identifiers")
        var configuration = try PostgresClient.Configuration(url: url, maximumConnections: maximumConnections)
        // Only the schema: functions and types come from `pg_catalog`, which is always searched first.
        configuration.options.additionalStartupParameters = [("search_path", schema)]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.schema = schema
        self.logger = logger
    }

    public var outbox: Outbox { Outbox(logger: logger) }
    public var inbox: Inbox { Inbox(logger: logger) }
    public var idempotentReplies: IdempotentReplies { IdempotentReplies(logger: logger) }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// An error thrown by `body` reaches the caller as it was thrown (a `Problem` stays a `Problem`).
    ///
    /// - Parameter body: the work, on the transaction's connection: pass that connection to every
    ///   query, outbox and inbox call inside it.
    /// - Returns: what `body` returned, once the transaction committed.
    /// - Throws: `body`'s error after the rollback; a `PostgresTransactionError` when the
    ///   transaction could not begin or commit, or the rollback failed too.
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }

    /// Runs `query` on the caller's transaction when there is one, else on any pooled connection.
    /// Inside a transaction it must be the same connection: another would not see the
    /// transaction's writes, and holding one connection while waiting for a second deadlocks a
    /// busy pool (every holder waiting for another).
    public func query(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> PostgresRowSequence {
        if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
    }

    /// Whether a round trip to the server works right now (for `/readyz`).
    public func isReachable() async -> Bool {
        do {
            try await client.query("SELECT 1", logger: logger)
            return true
        } catch {
            return false
        }
    }
}
