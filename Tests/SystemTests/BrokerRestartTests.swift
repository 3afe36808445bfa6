import Foundation
import Logging
import Messaging
import TestSupport
import Testing

/// RabbitMQ goes away and comes back. Run alone (deploy/local/test runs this suite after all the
/// others), since it takes the broker from under everything.
@Suite(.serialized) struct BrokerRestartTests {
    @Test func connectionsAndTheWholeSystemComeBackAfterABrokerRestart() async throws {
        let restartCommand = try TestEnvironment.require("RABBITMQ_RESTART_COMMAND")
        let configuration = try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL"))
        let queue = TestEnvironment.uniqueName("test.restart")
        let topology = Topology(queues: [Queue(name: queue, kind: .quorum)])
        let consumer = AMQPConnection(name: "restart-consumer", configuration: configuration, topology: topology, logger: Logger(label: "test"))
        let publisher = AMQPConnection(name: "restart-publisher", configuration: configuration, topology: topology, logger: Logger(label: "test"))
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

        try restart(with: restartCommand)

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
        #expect(await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            (try? await api.get("/readyz").status) == 200
        })
        let email = try await Accounts(api: api).activeClient()
        #expect(try await Accounts(api: api).login(email).access.isEmpty == false)
        try await publisher.withSession { try $0.delete(queue: queue) }
    }

    /// Runs the restart command with a clean signal mask: a child inherits blocked signals, and a
    /// broker started with SIGTERM blocked could not be stopped politely afterwards.
    private func restart(with command: String) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let words: [String] = ["/bin/bash", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { (word: String) in strdup(word) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/bin/bash", nil, &attributes, arguments, environ) == 0, "cannot run \(command)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        try #require(status == 0, "\(command) failed with status \(status)")
    }
}
