import Foundation
import Logging
import Messaging
import TestSupport
import Testing

@Suite struct RPCTests {
    private func startedClient() async throws -> RPCClient {
        let client = RPCClient(name: "rpc-test-client", configuration: try amqpConfiguration(), logger: Logger(label: "test.rpc"))
        try await client.start()
        try #require(await eventually { client.connection.isConnected })
        return client
    }

    @Test func aCallIsAnsweredByItsServer() async throws {
        let queue = TestEnvironment.uniqueName("test.rpc.echo")
        let server = try await connectedConnection("rpc-server", topology: Topology(queues: [Queue(name: queue, autoDelete: true)]))
        defer { Task { await server.close() } }
        let (requests, _) = try await server.deliveries(from: queue, prefetch: 8)
        let serving = Task {
            for await request in requests {
                let reply = OutgoingMessage(
                    body: Array("echo: \(request.text)".utf8),
                    properties: MessageProperties(correlationID: request.properties.correlationID, persistent: false))
                try await server.publish(reply, exchange: "", routingKey: request.properties.replyTo ?? "", confirm: false)
                request.ack()
            }
        }
        defer { serving.cancel() }
        let client = try await startedClient()
        defer { Task { await client.connection.close() } }

        let replies = try await withThrowingTaskGroup(of: String.self) { group in
            for number in 0..<20 {
                group.addTask {
                    let reply = try await client.call(
                        exchange: "", routingKey: queue, message: message("\(number)"), timeout: .seconds(5))
                    return reply.text
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(replies == Set((0..<20).map { "echo: \($0)" }))
    }

    @Test func aCallNobodyAnswersTimesOutWithAClearError() async throws {
        let queue = TestEnvironment.uniqueName("test.rpc.nobody")
        let declarer = try await connectedConnection("rpc-nobody", topology: Topology(queues: [Queue(name: queue)]))
        defer { Task { await declarer.close() } }
        let client = try await startedClient()
        defer { Task { await client.connection.close() } }

        let started = ContinuousClock.now
        do {
            _ = try await client.call(exchange: "", routingKey: queue, message: message("hello?"), timeout: .milliseconds(300))
            Issue.record("a call nobody answers returned")
        } catch let error as AMQPError {
            guard case .timedOut = error else {
                Issue.record("expected a time-out, got \(error)")
                return
            }
            #expect("\(error)".contains("timed out"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        // The request carried its timeout as an expiration: the broker dropped it, nobody runs it late.
        #expect(
            await eventually {
                (try? await declarer.withSession { try $0.inspect(queue: queue) }.messageCount) == 0
            })
        try await declarer.withSession { try $0.delete(queue: queue) }
    }

    /// Direct reply-to answers on the channel that sent the request: when the connection breaks
    /// (its broker node lost; here the broker closes the channel over a publish to an exchange
    /// that does not exist), the calls waiting fail at once, not at their timeout, and the client
    /// works again on its next connection.
    @Test func callsWaitingWhenTheConnectionBreaksFailAtOnce() async throws {
        let queue = TestEnvironment.uniqueName("test.rpc.unanswered")
        let declarer = try await connectedConnection("rpc-unanswered", topology: Topology(queues: [Queue(name: queue, autoDelete: false)]))
        defer { Task { await declarer.close() } }
        let client = try await startedClient()
        defer { Task { await client.connection.close() } }

        let waiting = Task { try await client.call(exchange: "", routingKey: queue, message: message("wait"), timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(200))
        _ = try? await client.call(
            exchange: TestEnvironment.uniqueName("no-such-exchange"), routingKey: "x", message: message("break"), timeout: .seconds(30))
        let error = await #expect(throws: AMQPError.self) { _ = try await waiting.value }
        guard case .connectionLost? = error else {
            Issue.record("a call on a lost connection fails as lost, not at its timeout: got \(String(describing: error))")
            return
        }
        #expect(await eventually { client.connection.isConnected })
        try await declarer.withSession { try $0.delete(queue: queue) }
    }

    @Test func aCallToAQueueThatDoesNotExistFailsFast() async throws {
        let client = try await startedClient()
        defer { Task { await client.connection.close() } }
        await #expect(throws: AMQPError.self) {
            _ = try await client.call(
                exchange: "", routingKey: TestEnvironment.uniqueName("test.rpc.missing"), message: message("x"),
                timeout: .seconds(30))
        }
    }
}
