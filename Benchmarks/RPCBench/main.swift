import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit

// Measures RPC round trips through RabbitMQ: `ping` calls from a ServiceCaller (direct reply-to)
// to a running service's RPC server, as the gateway makes them.
//
//   swift run -c release rpc-bench [--service auth] [--calls 5000] [--concurrency 1]
//
// RABBITMQ_URL names the broker (default: the local dev stack's); start it with deploy/local/up.

struct Options {
    var service = ServiceName.auth
    var calls = 5000
    var concurrency = 1

    init(_ arguments: [String]) throws {
        var remaining = arguments.makeIterator()
        while let flag = remaining.next() {
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
    var description: String { "bad argument \(flag); usage: rpc-bench [--service NAME] [--calls N] [--concurrency N]" }
}

extension Optional {
    func orThrow(_ error: some Error) throws -> Wrapped {
        guard let self else { throw error }
        return self
    }
}

let options = try Options(Array(CommandLine.arguments.dropFirst()))
let url = ProcessInfo.processInfo.environment["RABBITMQ_URL"] ?? "amqp://guest:guest@127.0.0.1:5673"
var logger = Logger(label: "rpc-bench")
logger.logLevel = .warning
let client = RPCClient(name: "rpc-bench", configuration: try AMQPConfiguration(url: url), logger: logger)
try await client.start()
let caller = ServiceCaller(client: client, appID: "rpc-bench")
let deadline = ContinuousClock.now + .seconds(10)
while !client.connection.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }

// Warm up both ends before measuring.
for _ in 0..<200 { _ = try await caller.call(Ping.self, Empty(), on: options.service) }

let perWorker = options.calls / options.concurrency
let started = ContinuousClock.now
let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
    for _ in 0..<options.concurrency {
        group.addTask {
            var latencies: [Duration] = []
            latencies.reserveCapacity(perWorker)
            for _ in 0..<perWorker {
                let start = ContinuousClock.now
                let reply = try await caller.call(Ping.self, Empty(), on: options.service)
                guard reply.status == 200 else { throw UsageError("ping answered \(reply.status)") }
                latencies.append(ContinuousClock.now - start)
            }
            return latencies
        }
    }
    var all: [Duration] = []
    for try await latencies in group { all += latencies }
    return all.sorted()
}
let elapsed = ContinuousClock.now - started
func percentile(_ p: Double) -> String {
    let latency = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
    return String(format: "%.0f µs", Double(latency.components.attoseconds) / 1e12 + Double(latency.components.seconds) * 1e6)
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("rpc-bench: \(latencies.count) ping calls to \(options.service.rawValue), \(options.concurrency) in flight")
print(String(format: "  throughput %.0f calls/s", Double(latencies.count) / seconds))
print("  latency p50 \(percentile(0.50)), p90 \(percentile(0.90)), p99 \(percentile(0.99)), max \(percentile(1.0))")
await client.connection.close()
