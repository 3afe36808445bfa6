import Foundation
import Logging
import Messaging
import PostgresNIO
import TestSupport
import Testing

/// The test stack's broker and database, reached directly (as an operator or an attacker would).
enum TestServers {
    /// A started connection to the test broker, once it is connected. Close it when done.
    static func broker(_ name: String, topology: Topology = Topology()) async throws -> AMQPConnection {
        let connection = AMQPConnection(
            name: name, configuration: try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL")),
            topology: topology, logger: Logger(label: "test.\(name)"))
        connection.start()
        try #require(await eventually { connection.isConnected }, "\(name) cannot reach the test broker")
        return connection
    }

    /// Runs `body` with a client of the test database, running for the duration.
    static func withDatabase<T: Sendable>(_ body: (PostgresClient, Logger) async throws -> T) async throws -> T {
        let logger = Logger(label: "test.database")
        let client = PostgresClient(configuration: try .init(url: TestEnvironment.require("DATABASE_URL")), backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        return try await body(client, logger)
    }
}
