import Messaging
import Synchronization

/// Deliveries received by a consumer, for tests to wait on.
public final class Received: Sendable {
    private let deliveries = Mutex<[Delivery]>([])

    public var all: [Delivery] { deliveries.withLock { $0 } }

    func append(_ delivery: Delivery) {
        deliveries.withLock { $0.append(delivery) }
    }

    /// The deliveries once there are at least `count`, or nil after the timeout.
    public func wait(for count: Int, timeout: Duration = .seconds(10)) async -> [Delivery]? {
        await eventually(timeout: timeout) { all.count >= count } ? all : nil
    }
}

/// Consumes `queue` into a `Received` without settling anything.
public func receive(
    from queue: String, on connection: AMQPConnection, prefetch: UInt16 = 10, noAck: Bool = false
) async throws -> (Received, Consumer) {
    let received = Received()
    let consumer = try await connection.consume(queue: queue, prefetch: prefetch, noAck: noAck) { received.append($0) }
    return (received, consumer)
}

extension Delivery {
    public var text: String { String(decoding: body, as: UTF8.self) }
}
