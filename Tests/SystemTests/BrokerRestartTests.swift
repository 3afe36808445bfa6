import Foundation
import Logging
import Messaging
import TestSupport
import Testing

/// RabbitMQ is killed (SIGKILL) and comes back. Run alone (deploy/local/test runs this suite after all the
/// others), since it takes the broker from under everything.
@Suite(.serialized) struct BrokerRestartTests {
    @Test func connectionsAndTheWholeSystemComeBackAfterTheBrokerIsKilled() async throws {
        let restartCommand = try TestEnvironment.require("SERVER_KILL_COMMAND") + " rabbitmq"
        let configuration = try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL"))
        let queue = TestEnvironment.uniqueName("test.restart")
        let topology = Topology(queues: [Queue(name: queue, kind: .quorum)])
        let consumer = AMQPConnection(
            name: "restart-consumer", configuration: configuration, topology: topology, logger: Logger(label: "test"))
        let publisher = AMQPConnection(
            name: "restart-publisher", configuration: configuration, topology: topology, logger: Logger(label: "test"))
        consumer.start()
        publisher.start()
        defer {
            Task {
                await consumer.close()
                await publisher.close()
            }
        }
        try #require(await eventually { consumer.isConnected && publisher.isConnected })
        let (deliveries, _) = try await consumer.deliveries(from: queue, prefetch: 4)
        let received = Task {
            var texts: [String] = []
            for await delivery in deliveries {
                texts.append(String(decoding: delivery.body, as: UTF8.self))
                delivery.ack()
                if texts.count == 2 { break }
            }
            return texts
        }
        try await publisher.publish(
            OutgoingMessage(body: Array("before".utf8), properties: MessageProperties(messageID: "before")),
            exchange: "", routingKey: queue)

        // A quorum queue killed in the moment it was declared may never come back: RabbitMQ 3.10
        // records a new queue's Ra server asynchronously, and after a SIGKILL within a few
        // milliseconds of the declaration the queue stayed leaderless (measured). Every queue of
        // the platform is declared long before any crash, so the test waits as they would have.
        try await Task.sleep(for: .seconds(2))
        try Shell.run(restartCommand)

        #expect(await eventually(timeout: .seconds(60)) { consumer.isConnected && publisher.isConnected })
        // Publishing may race the reconnect; a publisher retries until the broker confirms.
        let confirmed = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            (try? await publisher.publish(
                OutgoingMessage(body: Array("after".utf8), properties: MessageProperties(messageID: "after")),
                exchange: "", routingKey: queue)) != nil
        }
        #expect(confirmed)
        let texts = await received.value
        #expect(texts == ["before", "after"])

        // The services reconnected too: the gateway is ready again and a sign-up goes through.
        let api = try API()
        #expect(
            await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
                (try? await api.get("/readyz").status) == 200
            })
        let email = try await Accounts(api: api).activeClient()
        #expect(try await Accounts(api: api).login(email).access.isEmpty == false)
        try await publisher.withSession { try $0.delete(queue: queue) }
    }
}
