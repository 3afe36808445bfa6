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

    /// - Parameters:
    ///   - database: the service's database, whose schema's outbox it relays.
    ///   - publisher: the connection to publish on, with confirms; the relay waits while it is down.
    ///   - appID: the AMQP `app_id` of every message: the sending instance.
    ///   - batchSize: the rows taken, published and deleted in one transaction.
    ///   - pollInterval: how often the relay looks without being woken (and measures
    ///     `outbox_backlog`), and how long it waits before listening again after losing LISTEN.
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
                while (try? await Task.sleep(for: pollInterval)) != nil {
                    waker.yield()
                    await measureBacklog()
                }
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
        } catch {
            database.logger.warning("outbox relay failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Takes the oldest rows out of the outbox and publishes them; the deletion commits only once
    /// the broker confirmed every one, and rolls back otherwise (the next drain publishes them
    /// again: consumers absorb the duplicates of those that did get through). Three statements a
    /// batch, however many rows.
    private func relayBatch() async throws -> Int {
        guard publisher.isConnected else { return 0 }
        return try await database.transaction { connection in
            let rows = try await connection.query(
                """
                DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT \(batchSize) FOR UPDATE SKIP LOCKED)
                RETURNING id, message_id, exchange, routing_key, type, body, headers::text, created_at
                """, logger: database.logger)
            var batch: [(id: Int64, publication: Publication)] = []
            for try await (id, messageID, exchange, routingKey, type, body, headers, createdAt) in rows.decode(
                (Int64, UUID, String, String, String, String, String, Date).self)
            {
                let properties = MessageProperties(
                    messageID: OutboxMessage.wireID(messageID), type: type, timestamp: createdAt, appID: appID,
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data(headers.utf8))) ?? [:])
                batch.append(
                    (
                        id,
                        Publication(
                            message: OutgoingMessage(body: Array(body.utf8), properties: properties), exchange: exchange,
                            routingKey: routingKey)
                    ))
            }
            // RETURNING keeps no order; consumers see a service's messages in the order it wrote them.
            batch.sort { $0.id < $1.id }
            let results = await publisher.publish(batch.map(\.publication))
            let failures = results.filter { (try? $0.get()) == nil }
            guard failures.isEmpty else {
                failed.increment(by: failures.count)
                throw OutboxRelayError.unconfirmed(count: failures.count, first: failures.first.map { "\($0)" } ?? "")
            }
            published.increment(by: batch.count)
            return batch.count
        }
    }

    /// Rows still in the outbox (written since the last drain, or failing to publish), for the
    /// `outbox_backlog` gauge the alerts watch.
    private func measureBacklog() async {
        let count = try? await withDeadline(.seconds(30)) {
            let rows = try await database.client.query("SELECT count(*)::int FROM outbox", logger: database.logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
        if let count { backlog.record(count) }
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

enum OutboxRelayError: Error, CustomStringConvertible {
    case unconfirmed(count: Int, first: String)

    var description: String {
        switch self {
        case .unconfirmed(let count, let first):
            "\(count) outbox messages were not confirmed (first: \(first)); the batch is rolled back"
        }
    }
}
