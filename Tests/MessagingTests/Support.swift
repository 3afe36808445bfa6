import Foundation
import Synchronization
import Logging
import Messaging
import TestSupport
import Testing

func amqpConfiguration() throws -> AMQPConfiguration {
    try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL"))
}

/// A started connection that is connected; closed by the caller.
func connectedConnection(_ name: String, topology: Topology = Topology()) async throws -> AMQPConnection {
    let connection = AMQPConnection(
        name: name, configuration: try amqpConfiguration(), topology: topology, logger: Logger(label: "test.\(name)"))
    connection.start()
    try #require(await eventually { connection.isConnected }, "could not connect to RabbitMQ")
    return connection
}

func message(_ text: String, id: String = UUID().uuidString, type: String = "test.message.v1") -> OutgoingMessage {
    OutgoingMessage(body: Array(text.utf8), properties: MessageProperties(messageID: id, type: type))
}

extension Delivery {
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Deliveries received by a consumer, for tests to wait on.
final class Received: Sendable {
    private let deliveries = Mutex<[Delivery]>([])

    var all: [Delivery] { deliveries.withLock { $0 } }

    func append(_ delivery: Delivery) {
        deliveries.withLock { $0.append(delivery) }
    }

    /// The deliveries once there are at least `count`, or nil after the timeout.
    func wait(for count: Int, timeout: Duration = .seconds(10)) async -> [Delivery]? {
        await eventually(timeout: timeout) { all.count >= count } ? all : nil
    }
}

/// Consumes `queue` into a `Received` without settling anything.
func receive(
    from queue: String, on connection: AMQPConnection, prefetch: UInt16 = 10, noAck: Bool = false
) async throws -> (Received, Consumer) {
    let received = Received()
    let consumer = try await connection.consume(queue: queue, prefetch: prefetch, noAck: noAck) { received.append($0) }
    return (received, consumer)
}
