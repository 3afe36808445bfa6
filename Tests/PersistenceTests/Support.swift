import Foundation
import Logging
import Persistence
import PostgresNIO
import TestSupport
import Testing

/// A database client running for the duration of `body`, with a schema of its own.
func withDatabase<Result: Sendable>(
    _ body: (Database) async throws -> Result
) async throws -> Result {
    let logger = Logger(label: "test.persistence")
    let client = PostgresClient(
        configuration: try .init(url: TestEnvironment.require("DATABASE_URL"), maximumConnections: 8), backgroundLogger: logger)
    let running = Task { await client.run() }
    defer { running.cancel() }
    let schema = "test_" + UUID().uuidString.prefix(8).lowercased()
    let database = Database(client: client, schema: schema, logger: logger)
    do {
        let result = try await body(database)
        try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
        return result
    } catch {
        try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
        throw error
    }
}

extension Database {
    func count(_ table: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(schema).\(table)"), logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

struct Rollback: Error {}
