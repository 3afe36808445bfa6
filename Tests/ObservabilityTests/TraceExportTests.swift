import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Messaging
import Persistence
import ServiceLifecycle
import TestSupport
import Testing

@testable import Gateway
@testable import ServiceKit

/// Spans exported over OTLP to a real receiver, with swift-otel's tracer: that they arrive, carry
/// the trace of the `traceparent` the client sent, and that each hop's span is the child of the
/// span that sent it, across the gateway, RPC, the outbox and a consumer. The `traceparent` on
/// the wire and `TraceContext.current` (the logs' `trace_id`) are the spans' own.
@Suite struct TraceExportTests {
    static let clientTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let clientSpanID = "00f067aa0ba902b7"
    static let clientTraceparent = "00-\(clientTraceID)-\(clientSpanID)-01"
    static let traceparent = HTTPField.Name(TraceContext.header)!

    @Test func theGatewaysServerSpanContinuesTheClientsTrace() async throws {
        let seen = Recorded<TraceContext?>(nil)
        let router = Router(context: GatewayContext.self)
        router.add(middleware: TraceMiddleware())
        router.get("probes/{id}") { _, _ -> HTTPResponse.Status in
            seen.update { $0 = TraceContext.current }
            return .noContent
        }
        let answered = Recorded<String?>(nil)
        let spans = try await exportingSpans {
            try await Application(router: router).test(.router) { client in
                let response = try await client.execute(
                    uri: "/probes/42", method: .get, headers: [TraceExportTests.traceparent: Self.clientTraceparent])
                answered.update { $0 = response.headers[TraceExportTests.traceparent] }
            }
        }

        let span = try #require(spans.first { $0.kind == .server }, "no server span among \(spans)")
        #expect(span.traceID == Self.clientTraceID)
        #expect(span.parentSpanID == Self.clientSpanID)
        #expect(span.name == "GET /probes/{id}")
        #expect(span.attributes["http.route"] == "/probes/{id}")
        #expect(span.attributes["http.response.status_code"] == "204")
        #expect(answered.value == "00-\(span.traceID)-\(span.spanID)-01")
        #expect(seen.value?.traceparent == "00-\(span.traceID)-\(span.spanID)-01")
    }

    /// Needs RabbitMQ and PostgreSQL (`RABBITMQ_URL`, `DATABASE_URL`).
    @Test func aRequestIsOneTraceThroughRPCTheOutboxAndAConsumer() async throws {
        let probe = try TracedProbe()
        let spans = try await exportingSpans {
            try await withTestDatabase(migrations: []) { try await probe.request(through: $0) }
        }
        #expect(probe.consumedIn.value != nil, "the outbox message was not consumed")

        let gateway = try #require(spans.first { $0.kind == .server && $0.name.hasPrefix("GET") }, "spans: \(spans)")
        let call = try #require(spans.first { $0.kind == .client && $0.name == Ping.name }, "spans: \(spans)")
        let answer = try #require(spans.first { $0.kind == .server && $0.name == Ping.name }, "spans: \(spans)")
        let send = try #require(spans.first { $0.kind == .producer && $0.name == "send test.trace.v1" }, "spans: \(spans)")
        let process = try #require(spans.first { $0.kind == .consumer && $0.name == "process test.trace.v1" }, "spans: \(spans)")
        for span in [gateway, call, answer, send, process] { #expect(span.traceID == Self.clientTraceID, "\(span)") }
        #expect(gateway.parentSpanID == Self.clientSpanID)
        #expect(call.parentSpanID == gateway.spanID)
        #expect(answer.parentSpanID == call.spanID)
        #expect(send.parentSpanID == answer.spanID)
        #expect(process.parentSpanID == send.spanID)
        // What the handlers logged under: the trace, and their own span.
        #expect(probe.answeredIn.value?.traceparent == "00-\(Self.clientTraceID)-\(answer.spanID)-01")
        #expect(probe.consumedIn.value?.traceparent == "00-\(Self.clientTraceID)-\(process.spanID)-01")
    }
}

/// A gateway route that calls an operation over the bus, whose handler writes a message to its
/// outbox, relayed to a queue a consumer takes it from: every hop of a request, in process, on
/// the real broker and database. The RPC server answers on `gateway.rpc`, a queue no running
/// service declares (the gateway answers no RPC), so a test stack's services cannot take the
/// call; both queues go with their consumers.
struct TracedProbe {
    let queue = TestEnvironment.uniqueName("test.traces")
    let configuration: AMQPConfiguration
    let logger = Logger(label: "test.traces")
    /// The context the RPC handler and the consumer ran in: what their logs say.
    let answeredIn = Recorded<TraceContext?>(nil)
    let consumedIn = Recorded<TraceContext?>(nil)

    init() throws {
        configuration = try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL"))
    }

    /// Sends one request with the client's `traceparent` and waits until its message is consumed.
    func request(through database: Database) async throws {
        let rpcQueue = ServiceName.gateway.rpcQueue
        let topology =
            PlatformTopology.exchanges
            + Topology(
                queues: [Queue(name: rpcQueue, durable: false, autoDelete: true), Queue(name: queue, durable: false, autoDelete: true)],
                bindings: [Binding(queue: rpcQueue, exchange: Exchanges.rpc, routingKey: ServiceName.gateway.rawValue)])
        let publisher = AMQPConnection(name: "traces-publish", configuration: configuration, topology: topology, logger: logger)
        let consumer = AMQPConnection(name: "traces-consume", configuration: configuration, topology: topology, logger: logger)
        let rpcClient = RPCClient(name: "traces-rpc", configuration: configuration, logger: logger)
        let services: [any Service] = [
            publisher, consumer, rpcClient,
            RPCServer(
                service: .gateway, instance: "traces-test", handlers: handlers(database), consumer: consumer, publisher: publisher,
                prefetch: 4, logger: logger),
            QueueConsumer(connection: consumer, queue: queue, prefetch: 4, logger: logger) { [consumedIn] _ in
                consumedIn.update { $0 = TraceContext.current }
                return .ack
            },
            OutboxRelay(database: database, publisher: publisher, appID: "traces-test", pollInterval: .milliseconds(50)),
        ]
        let group = ServiceGroup(services: services, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let outcome = await get(
                with: ServiceCaller(client: rpcClient, appID: "traces-test"), once: [publisher, consumer, rpcClient.connection])
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try outcome.get()
        }
    }

    /// `ping`, answered after writing a message to the outbox in the handler's transaction.
    private func handlers(_ database: Database) -> RPCHandlers {
        var handlers = RPCHandlers()
        handlers.on(Ping.self) { [answeredIn, queue] _, _ in
            answeredIn.update { $0 = TraceContext.current }
            try await database.transaction { connection in
                try await database.outbox.enqueue(
                    OutboxMessage(exchange: "", routingKey: queue, type: "test.trace.v1", body: "{}"), on: connection)
            }
            return .ok(Ping.Response(service: "test", instance: "test"))
        }
        return handlers
    }

    /// The gateway's part, once `connections` are up: its trace middleware and a route that calls
    /// `ping`, asked once; then waits for the consumer. A failure is returned, so that the caller
    /// still stops what it started.
    private func get(with caller: ServiceCaller, once connections: [AMQPConnection]) async -> Result<Void, any Error> {
        guard await eventually({ connections.allSatisfy(\.isConnected) }) else { return .failure(ProbeError.notConnected) }
        let router = Router(context: GatewayContext.self)
        router.add(middleware: TraceMiddleware())
        router.get("probes/{id}") { _, _ -> HTTPResponse.Status in
            HTTPResponse.Status(code: try await caller.call(Ping.self, Empty(), on: .gateway).status)
        }
        do {
            try await Application(router: router).test(.router) { client in
                let response = try await client.execute(
                    uri: "/probes/7", method: .get, headers: [TraceExportTests.traceparent: TraceExportTests.clientTraceparent])
                #expect(response.status == .ok)
            }
        } catch {
            return .failure(error)
        }
        _ = await eventually { consumedIn.value != nil }
        return .success(())
    }
}

enum ProbeError: Error {
    case notConnected
}
