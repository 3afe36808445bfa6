import Foundation
import Logging
import Messaging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Publishes what services wrote to their outbox, with publisher confirms, and deletes each row
/// once the broker confirmed it (the event store in `analytics` keeps history, not the outbox).
/// Woken by LISTEN/NOTIFY on every insert, and by a slow poll as a safety net. Replicas share the
/// work: each batch is locked with `FOR UPDATE SKIP LOCKED`. Delivery is at least once (a crash
/// between confirm and commit publishes a batch again), which idempotent consumers absorb.
public struct OutboxRelay: Service {
    private let database: Database
    private let publisher: AMQPConnection
    private let appID: String
    private let batchSize: Int
    private let pollInterval: Duration
    private let published: Counter
    private let failed: Counter
    private let backlog: Gauge

    public init(
        database: Database, publisher: AMQPConnection, appID: String, batchSize: Int = 256,
        pollInterval: Duration = .seconds(1)
    ) {
        self.database = database
        self.publisher = publisher
        self.appID = appID
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.published = Counter(label: "outbox_published_total", dimensions: [("schema", database.schema)])
        self.failed = Counter(label: "outbox_publish_failures_total", dimensions: [("schema", database.schema)])
        self.backlog = Gauge(label: "outbox_backlog", dimensions: [("schema", database.schema)])
    }

    public func run() async throws {
        let (wakeUps, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await listen(waker) }
            group.addTask {
                while (try? await Task.sleep(for: pollInterval)) != nil { waker.yield() }
            }
            for await _ in wakeUps.cancelOnGracefulShutdown() {
                await drain()
            }
            group.cancelAll()
        }
        await drain()  // what the last handlers wrote before shutdown
    }

    /// Relays batches until the outbox is empty or publishing fails (the next wake-up retries).
    /// A batch that hangs (a connection request lost across a database restart) is given up
    /// after 30 s, so one stuck await cannot stop the relay for good.
    public func drain() async {
        do {
            while try await withDeadline(.seconds(30), { try await relayBatch() }) == batchSize {}
            backlog.record(try await withDeadline(.seconds(30), { try await waiting() }))
        } catch {
            database.logger.warning("outbox relay failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private func relayBatch() async throws -> Int {
        guard publisher.isConnected else { return 0 }
        let schema = database.schema
        return try await database.transaction { connection in
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT id, message_id, exchange, routing_key, type, body, headers::text, created_at
                    FROM \(schema).outbox ORDER BY id LIMIT \(batchSize) FOR UPDATE SKIP LOCKED
                    """), logger: database.logger)
            var ids: [Int64] = []
            var batch: [Publication] = []
            for try await (id, messageID, exchange, routingKey, type, body, headers, createdAt) in rows.decode(
                (Int64, UUID, String, String, String, String, String, Date).self)
            {
                let properties = MessageProperties(
                    messageID: OutboxMessage.wireID(messageID), type: type, timestamp: createdAt, appID: appID,
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data(headers.utf8))) ?? [:])
                ids.append(id)
                batch.append(Publication(
                    message: OutgoingMessage(body: Array(body.utf8), properties: properties), exchange: exchange,
                    routingKey: routingKey))
            }
            let results = await publisher.publish(batch)
            let confirmed = zip(ids, results).compactMap { id, result in (try? result.get()).map { id } }
            if !confirmed.isEmpty {
                var binds = PostgresBindings()
                binds.append(confirmed)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DELETE FROM \(schema).outbox WHERE id = ANY($1)", binds: binds),
                    logger: database.logger)
                published.increment(by: confirmed.count)
            }
            if confirmed.count < ids.count {
                failed.increment(by: ids.count - confirmed.count)
                let firstFailure = results.first { (try? $0.get()) == nil }
                database.logger.warning(
                    "some outbox messages were not confirmed, will retry",
                    metadata: ["failed": "\(ids.count - confirmed.count)", "error": "\(String(describing: firstFailure))"])
                return 0
            }
            return ids.count
        }
    }

    /// Rows still in the outbox (those written since the drain, or that failed to publish).
    private func waiting() async throws -> Int {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(database.schema).outbox"), logger: database.logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    private func listen(_ waker: AsyncStream<Void>.Continuation) async {
        let channel = Outbox.channel(schema: database.schema)
        while !Task.isCancelled {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        waker.yield()  // anything written while we were not listening
                        for try await _ in notifications { waker.yield() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                database.logger.debug("outbox LISTEN interrupted, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: pollInterval)
            }
        }
    }
}
