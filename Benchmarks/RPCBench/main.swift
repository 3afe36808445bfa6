import BenchSupport
import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit

// Measures RPC round trips through RabbitMQ, direct reply-to, as the gateway makes them:
//
//   rpc-bench [--service auth] [--calls 5000] [--concurrency 1]   `ping` to a running service
//   rpc-bench --echo [--calls 5000] [--concurrency 1]             the limit of the design: a bare
//       rabbitmq-c echo (no service framework, no JSON) answering on a private queue
//
// RABBITMQ_URL names the broker (default: the local dev stack's); start it with deploy/local/up.

struct Options {
    var service = ServiceName.auth
    var echo = false
    var calls = 5000
    var concurrency = 1

    init(_ arguments: [String]) throws {
        var remaining = arguments.makeIterator()
        while let flag = remaining.next() {
            if flag == "--echo" {
                echo = true
                continue
            }
            guard let value = remaining.next() else { throw UsageError(flag) }
            switch flag {
            case "--service": service = try ServiceName(rawValue: value).orThrow(UsageError(flag))
            case "--calls": calls = try Int(value).orThrow(UsageError(flag))
            case "--concurrency": concurrency = try Int(value).orThrow(UsageError(flag))
            default: throw UsageError(flag)
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let flag: String
    init(_ flag: String) { self.flag = flag }
    var description: String { "bad argument \(flag); usage: rpc-bench [--echo | --service NAME] [--calls N] [--concurrency N]" }
}

extension Optional {
    func orThrow(_ error: some Error) throws -> Wrapped {
        guard let self else { throw error }
        return self
    }
}

/// A bare echo server: every request is sent straight back to its reply-to address.
func startEcho(configuration: AMQPConfiguration, logger: Logger) async throws -> (queue: String, connection: AMQPConnection) {
    let queue = "rpc-bench.echo.\(UUID().uuidString.lowercased())"
    let connection = AMQPConnection(
        name: "rpc-bench-echo", configuration: configuration,
        topology: Topology(queues: [Queue(name: queue, kind: .classic, durable: false, autoDelete: true)]), logger: logger)
    connection.start()
    _ = try await connection.consume(queue: queue, prefetch: 0, noAck: true) { request in
        guard let replyTo = request.properties.replyTo else { return }
        let reply = OutgoingMessage(body: request.body, properties: MessageProperties(correlationID: request.properties.correlationID))
        Task { try? await connection.publish(reply, exchange: "", routingKey: replyTo, confirm: false) }
    }
    return (queue, connection)
}

let options = try Options(Array(CommandLine.arguments.dropFirst()))
let configuration = try AMQPConfiguration(url: ProcessInfo.processInfo.environment["RABBITMQ_URL"] ?? "amqp://guest:guest@127.0.0.1:5673")
var logger = Logger(label: "rpc-bench")
logger.logLevel = .warning
let client = RPCClient(name: "rpc-bench", configuration: configuration, logger: logger)
try await client.start()
let caller = ServiceCaller(client: client, appID: "rpc-bench")
let echo = options.echo ? try await startEcho(configuration: configuration, logger: logger) : nil
let deadline = ContinuousClock.now + .seconds(10)
while !client.connection.isConnected || echo.map({ !$0.connection.isConnected }) == true, ContinuousClock.now < deadline {
    try await Task.sleep(for: .milliseconds(50))
}

let call: @Sendable () async throws -> Void
if let echo {
    let request = OutgoingMessage(body: Array(#"{"ping":true}"#.utf8), properties: MessageProperties())
    call = { _ = try await client.call(exchange: "", routingKey: echo.queue, message: request, timeout: .seconds(5)) }
} else {
    let service = options.service
    call = {
        let reply = try await caller.call(Ping.self, Empty(), on: service)
        guard reply.status == 200 else { throw UsageError("ping answered \(reply.status)") }
    }
}
// Warm up both ends before measuring.
for _ in 0..<200 { try await call() }
let report = try await LatencyReport.measure(calls: options.calls, concurrency: options.concurrency, call)
print("rpc-bench: \(report.count) \(options.echo ? "echo" : "ping to \(options.service.rawValue)") calls, \(options.concurrency) in flight")
print(report.summary(unit: "calls"))
await client.connection.close()
if let echo { await echo.connection.close() }
