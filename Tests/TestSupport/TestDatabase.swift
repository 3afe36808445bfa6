import Foundation
import Logging
import Persistence
import PostgresNIO
import Testing

/// A schema of its own on the test server, for one test: created, brought up to date by
/// `migrations` (none: left empty for the test to migrate), dropped afterwards whatever happened. Stores and a
/// service's operations run on it as on their service's own schema, without the rest of the
/// stack, and tests run side by side without seeing each other's rows.
public func withTestDatabase<Result: Sendable>(
    migrations: [Migration]? = nil, _ body: (Database) async throws -> Result
) async throws -> Result {
    let logger = Logger(label: "test.database")
    let schema = "test_" + UUID().uuidString.prefix(8).lowercased()
    let database = try Database(
        url: try TestEnvironment.require("DATABASE_URL"), schema: schema, maximumConnections: 8, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await database.client.run() }
        defer { group.cancelAll() }
        do {
            try await database.client.query("CREATE SCHEMA \(unescaped: schema)", logger: logger)
            if let migrations { try await Migrator(database: database, migrations: migrations).run() }
            let result = try await body(database)
            try await database.client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
            return result
        } catch {
            _ = try? await database.client.query("DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE", logger: logger)
            throw error
        }
    }
}

extension Database {
    /// The types of the messages in the outbox, oldest first: what the relay will publish.
    public func outboxTypes() async throws -> [String] {
        var types: [String] = []
        for try await type in try await client.query("SELECT type FROM outbox ORDER BY id", logger: logger).decode(String.self) {
            types.append(type)
        }
        return types
    }

    /// The rows in one of the schema's tables.
    public func count(_ table: String) async throws -> Int {
        let rows = try await client.query("SELECT count(*)::int FROM \(unescaped: table)", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
