import Foundation
import Logging
import Messaging
import TestSupport
import Testing

@Suite struct ConnectionTests {
    @Test func aConfirmedPublishIsInTheQueue() async throws {
        let queue = TestEnvironment.uniqueName("test.confirm")
        let connection = try await connectedConnection(
            "confirm", topology: Topology(queues: [Queue(name: queue, kind: .quorum)]))
        defer { Task { await connection.close() } }

        try await connection.publish(message("hello"), exchange: "", routingKey: queue)

        let status = try await connection.withSession { try $0.inspect(queue: queue) }
        #expect(status.messageCount == 1)
        try await connection.withSession { try $0.delete(queue: queue) }
    }

    @Test func aBatchIsConfirmedInOrder() async throws {
        let queue = TestEnvironment.uniqueName("test.batch")
        let connection = try await connectedConnection("batch", topology: Topology(queues: [Queue(name: queue)]))
        defer { Task { await connection.close() } }

        let batch = (0..<200).map { Publication(message: message("m\($0)"), exchange: "", routingKey: queue) }
        let results = await connection.publish(batch)
        #expect(results.count == 200)
        #expect(results.allSatisfy { (try? $0.get()) != nil })

        let (received, consumer) = try await receive(from: queue, on: connection, noAck: true)
        let deliveries = try #require(await received.wait(for: 200))
        #expect(deliveries.map(\.text) == (0..<200).map { "m\($0)" })
        await consumer.cancel()
        try await connection.withSession { try $0.delete(queue: queue) }
    }

    @Test func aMandatoryMessageNobodyCanTakeIsRefused() async throws {
        let connection = try await connectedConnection("unroutable")
        defer { Task { await connection.close() } }

        await #expect(throws: AMQPError.self) {
            try await connection.publish(
                message("lost"), exchange: "", routingKey: TestEnvironment.uniqueName("test.no-such-queue"), mandatory: true)
        }
        // The connection is still usable afterwards.
        #expect(connection.isConnected)
    }

    @Test func anUnacknowledgedMessageIsRedeliveredAfterItsConsumerDies() async throws {
        let queue = TestEnvironment.uniqueName("test.redeliver")
        let topology = Topology(queues: [Queue(name: queue, kind: .quorum)])
        let publisher = try await connectedConnection("redeliver-publisher", topology: topology)
        defer { Task { await publisher.close() } }
        let doomed = try await connectedConnection("redeliver-doomed", topology: topology)

        let (firstReceived, _) = try await receive(from: queue, on: doomed, prefetch: 1)
        try await publisher.publish(message("important", id: "m-1"), exchange: "", routingKey: queue)
        let first = try #require(await firstReceived.wait(for: 1)?.first)
        #expect(first.text == "important")
        #expect(!first.redelivered)

        await doomed.close()  // without acknowledging

        let survivor = try await connectedConnection("redeliver-survivor", topology: topology)
        defer { Task { await survivor.close() } }
        let (received, _) = try await receive(from: queue, on: survivor, prefetch: 1)
        let again = try #require(await received.wait(for: 1)?.first)
        #expect(again.text == "important")
        #expect(again.properties.messageID == "m-1")
        #expect(again.redelivered)
        again.ack()
        #expect(await eventually { (try? await survivor.withSession { try $0.inspect(queue: queue) }.messageCount) == 0 })
    }

    @Test func aMessageRejectedPastTheDeliveryLimitIsParkedInItsDeadLetterQueue() async throws {
        let queue = TestEnvironment.uniqueName("test.poison")
        let deadLetters = "\(queue).dlq"
        let topology = Topology(
            exchanges: [Exchange(name: "test.dlx", kind: .direct)],
            queues: [
                Queue(name: queue, kind: .quorum, deliveryLimit: 3, deadLetterExchange: "test.dlx", deadLetterRoutingKey: queue),
                Queue(name: deadLetters, kind: .quorum),
            ],
            bindings: [Binding(queue: deadLetters, exchange: "test.dlx", routingKey: queue)])
        let connection = try await connectedConnection("poison", topology: topology)
        defer { Task { await connection.close() } }

        let (received, consumer) = try await connection.deliveries(from: queue, prefetch: 1)
        try await connection.publish(message("poison", id: "p-1"), exchange: "", routingKey: queue)
        let rejecting = Task {
            var deliveries = 0
            for await delivery in received {
                deliveries += 1
                delivery.reject(requeue: true)
            }
            return deliveries
        }
        let parked = await eventually(timeout: .seconds(15)) {
            (try? await connection.withSession { try $0.inspect(queue: deadLetters) }.messageCount) == 1
        }
        await consumer.cancel()
        let attempts = await rejecting.value
        #expect(parked)
        #expect(attempts == 4)  // the first delivery and three redeliveries, then the broker parks it

        let (parkedMessages, _) = try await receive(from: deadLetters, on: connection, noAck: true)
        #expect(try #require(await parkedMessages.wait(for: 1)).first?.properties.messageID == "p-1")
        try await connection.withSession { session in
            try session.delete(queue: queue)
            try session.delete(queue: deadLetters)
        }
    }

    @Test func aBadURLIsRefusedWithAClearError() {
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "http://example.com") }
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://") }
    }

    @Test func aURLCarriesCredentialsAndVirtualHost() throws {
        let configuration = try AMQPConfiguration(url: "amqp://app:s%40cret@broker.internal:5679/lending%2Fprod")
        let broker = try #require(configuration.brokers.first)
        #expect(configuration.brokers.count == 1)
        #expect(broker.host == "broker.internal")
        #expect(broker.port == 5679)
        #expect(broker.user == "app")
        #expect(broker.password == "s@cret")
        #expect(broker.virtualHost == "lending/prod")
        #expect(try AMQPConfiguration(url: "amqp://127.0.0.1").brokers.first?.virtualHost == "/")
    }

    @Test func aListOfURLsNamesTheNodesOfACluster() throws {
        let configuration = try AMQPConfiguration(url: "amqp://a:b@n1:5672, amqp://a:b@n2:5673,amqp://a:b@n3")
        #expect(configuration.brokers.map(\.description) == ["n1:5672", "n2:5673", "n3:5672"])
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://n1,http://n2") }
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: ",") }
    }

    /// A connection given a dead node and a live one connects to the live one, whichever it
    /// tries first, and does so again after a reconnect.
    @Test func aDeadNodeInTheListIsPassedOver() async throws {
        let live = try amqpConfiguration()
        var configuration = try AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:1")
        configuration.brokers += live.brokers
        for _ in 0..<4 {
            let connection = AMQPConnection(
                name: "dead-node", configuration: configuration, topology: Topology(), logger: Logger(label: "test"))
            connection.start()
            #expect(await eventually(timeout: .seconds(5)) { connection.isConnected })
            await connection.close()
        }
    }
}
