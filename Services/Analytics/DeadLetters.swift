import Contracts
import Foundation
import Messaging
import ServiceKit
import Synchronization

/// The dead-letter queues seen from the operator's chair: how many messages each holds, a few
/// samples, and a replay that moves them back onto their queue (publish confirmed first, then
/// the parked copy is acknowledged, so a replay cut short loses nothing).
struct DeadLetters: Sendable {
    let connection: AMQPConnection
    static let samplesPerQueue = 3
    static let sampleBytes = 2048

    func register(on rpc: inout RPCHandlers) {
        rpc.on(DeadLettersRPC.List.self) { _, context in
            _ = try context.requireRole([.superAdmin])
            var reports: [DeadLettersRPC.QueueReport] = []
            for queue in WorkQueues.durable { reports.append(try await report(queue)) }
            return .ok(Page(items: reports, request: PageRequest(page: 1, pageSize: PageRequest.maximumSize), total: reports.count))
        }
        rpc.on(DeadLettersRPC.Replay.self) { request, context in
            _ = try context.requireRole([.superAdmin])
            guard WorkQueues.durable.contains(request.queue) else { throw Problem.notFound("No such queue.") }
            return .ok(.init(queue: request.queue, replayed: try await replay(request.queue)))
        }
    }

    private func depth(_ queue: String) async throws -> Int {
        try await connection.withSession { try $0.inspect(queue: queue) }.messageCount
    }

    /// The queue's parked count and its first few messages, which go back where they were.
    private func report(_ queue: String) async throws -> DeadLettersRPC.QueueReport {
        let parked = "\(queue).dlq"
        let count = try await depth(parked)
        var samples: [DeadLettersRPC.Sample] = []
        if count > 0 {
            let taken = try await take(min(count, Self.samplesPerQueue), from: parked)
            for delivery in taken {
                samples.append(
                    .init(
                        messageID: delivery.properties.messageID, type: delivery.properties.type,
                        body: String(decoding: delivery.body.prefix(Self.sampleBytes), as: UTF8.self)))
                delivery.reject(requeue: true)
            }
        }
        return .init(queue: queue, deadLetterQueue: parked, count: count, samples: samples)
    }

    /// Moves what is parked now back to `queue`; returns how many messages moved.
    private func replay(_ queue: String) async throws -> Int {
        let parked = "\(queue).dlq"
        let count = try await depth(parked)
        guard count > 0 else { return 0 }
        var moved = 0
        while moved < count {
            let batch = try await take(min(count - moved, 64), from: parked)
            guard !batch.isEmpty else { break }
            for (index, delivery) in batch.enumerated() {
                var properties = delivery.properties
                properties.headers = properties.headers.filter { !$0.key.hasPrefix("x-") }
                do {
                    try await connection.publish(
                        OutgoingMessage(body: delivery.body, properties: properties), exchange: "", routingKey: queue)
                } catch {
                    for unsent in batch[index...] { unsent.reject(requeue: true) }
                    throw error
                }
                delivery.ack()
                moved += 1
            }
        }
        return moved
    }

    /// Up to `limit` messages from `queue`, unacknowledged (the caller settles each), waiting at
    /// most `quiet` for the next one.
    private func take(_ limit: Int, from queue: String, quiet: Duration = .milliseconds(500)) async throws -> [Delivery] {
        let taken = Taken()
        let consumer = try await connection.consume(queue: queue, prefetch: UInt16(limit)) { taken.append($0) }
        var seen = 0
        var lastArrival = ContinuousClock.now
        while taken.count < limit, ContinuousClock.now - lastArrival < quiet {
            try await Task.sleep(for: .milliseconds(10))
            if taken.count != seen {
                seen = taken.count
                lastArrival = .now
            }
        }
        await consumer.cancel()
        return taken.all
    }

    private final class Taken: Sendable {
        private let deliveries = Mutex<[Delivery]>([])

        func append(_ delivery: Delivery) { deliveries.withLock { $0.append(delivery) } }

        var count: Int { deliveries.withLock { $0.count } }

        var all: [Delivery] { deliveries.withLock { $0 } }
    }
}
