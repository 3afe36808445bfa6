import Contracts
import Foundation
import Logging
import Messaging
import Persistence
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@Suite struct MigrationTests {
    @Test func replicasMigratingAtOnceApplyEachMigrationOnce() async throws {
        try await withTestDatabase { database in
            let migrations = [
                Migration(
                    id: "test-0001",
                    statements: [
                        "CREATE TABLE \(database.schema).ledger (note text NOT NULL)",
                        "INSERT INTO \(database.schema).ledger VALUES ('created once')",
                    ]),
                Migration(id: "test-0002", statements: ["INSERT INTO \(database.schema).ledger VALUES ('second step')"]),
            ]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator(database: database, migrations: migrations).run() }
                }
                try await group.waitForAll()
            }
            #expect(try await database.count("ledger") == 2)
            #expect(try await database.count("schema_migrations") == 5)  // outbox, inbox, idempotent replies + two own

            try await Migrator(database: database, migrations: migrations).run()
            #expect(try await database.count("ledger") == 2)
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() async throws {
        try await withTestDatabase { database in
            let broken = Migration(
                id: "test-broken",
                statements: [
                    "CREATE TABLE \(database.schema).half (n int)",
                    "INSERT INTO \(database.schema).nowhere VALUES (1)",
                ])
            await #expect(throws: (any Error).self) { try await Migrator(database: database, migrations: [broken]).run() }
            let rows = try await database.client.query(
                "SELECT count(*)::int FROM information_schema.tables WHERE table_schema = \(database.schema) AND table_name = 'half'",
                logger: database.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
    }
}

@Suite struct InboxTests {
    @Test func aDuplicateMessageIsProcessedOnce() async throws {
        try await withTestDatabase { database in
            try await Migrator(
                database: database,
                migrations: [
                    Migration(id: "test-effects", statements: ["CREATE TABLE \(database.schema).effects (message_id text)"])
                ]
            ).run()
            let messageID = UUID().uuidString
            let apply: @Sendable (PostgresConnection) async throws -> Void = { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.schema).effects VALUES ('\(messageID)')"),
                    logger: database.logger)
            }
            // Two replicas receive the same message at once, then a redelivery comes later.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<2 { group.addTask { try await database.processOnce(messageID: messageID, apply) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let redelivered = try await database.processOnce(messageID: messageID, apply)
            #expect(outcomes.filter { $0 }.count == 1 && outcomes.count == 2)
            #expect(redelivered == false)
            #expect(try await database.count("effects") == 1)
        }
    }

    @Test func aFailedHandlerDoesNotMarkTheMessageProcessed() async throws {
        try await withTestDatabase { database in
            try await Migrator(database: database, migrations: []).run()
            await #expect(throws: Rollback.self) {
                try await database.processOnce(messageID: "m-1") { _ in throw Rollback() }
            }
            #expect(try await database.processOnce(messageID: "m-1") { _ in })
        }
    }
}

@Suite struct OutboxTests {
    struct Probe: DomainEvent, Equatable {
        static let type = "test.outbox.probe.v1"
        var note: String
    }

    @Test func onlyCommittedOutboxMessagesArePublished() async throws {
        let queue = TestEnvironment.uniqueName("test.outbox")
        let configuration = try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL"))
        let topology =
            PlatformTopology.exchanges
            + Topology(
                queues: [Queue(name: queue)],
                bindings: [Binding(queue: queue, exchange: Exchanges.events, routingKey: Probe.routingKey)])
        let publisher = AMQPConnection(
            name: "outbox-test", configuration: configuration, topology: topology, logger: Logger(label: "test.outbox"))
        publisher.start()
        defer { Task { await publisher.close() } }
        try #require(await eventually { publisher.isConnected })

        try await withTestDatabase { database in
            try await Migrator(database: database, migrations: []).run()
            await #expect(throws: Rollback.self) {
                try await database.transaction { connection in
                    try await database.outbox.publish(Probe(note: "rolled back"), on: connection)
                    throw Rollback()
                }
            }
            try await database.transaction { connection in
                try await database.outbox.publish(Probe(note: "committed"), on: connection)
            }
            #expect(try await database.count("outbox") == 1)

            await OutboxRelay(database: database, publisher: publisher, appID: "outbox-test").drain()

            #expect(try await database.count("outbox") == 0)
            let messages = try await publisher.withSession { try $0.inspect(queue: queue) }.messageCount
            #expect(messages == 1)
            let (stream, consumer) = try await publisher.deliveries(from: queue, prefetch: 10)
            var iterator = stream.makeAsyncIterator()
            let delivery = try #require(await iterator.next())
            delivery.ack()
            await consumer.cancel()
            #expect(try JSON.decode(Probe.self, from: delivery.body) == Probe(note: "committed"))
            #expect(delivery.properties.type == Probe.type)
            #expect(delivery.properties.messageID != nil)
        }
        try await publisher.withSession { try $0.delete(queue: queue) }
    }
}
