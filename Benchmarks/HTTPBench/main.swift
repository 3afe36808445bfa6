import AsyncHTTPClient
import BenchSupport
import Foundation
import NIOCore

// Measures authenticated reads through the gateway, as a client app makes them:
//
//   http-bench [--path /api/v1/auth/me] [--calls 20000] [--concurrency 1,16,64]
//
// GATEWAY_URL (default http://127.0.0.1:8080) and the account to sign in with, BENCH_EMAIL and
// BENCH_PASSWORD (default: the local stack's bootstrap super admin). The gateway's rate limits
// must allow the load (deploy/local/bench starts a stack whose limits do).

struct Options {
    var path = "/api/v1/auth/me"
    var calls = 20000
    var concurrencies = [1, 16, 64]

    init(_ arguments: [String]) throws {
        var remaining = arguments.makeIterator()
        while let flag = remaining.next() {
            guard let value = remaining.next() else { throw Usage(flag) }
            switch flag {
            case "--path": path = value
            case "--calls":
                guard let number = Int(value) else { throw Usage(flag) }
                calls = number
            case "--concurrency": concurrencies = value.split(separator: ",").compactMap { Int($0) }
            default: throw Usage(flag)
            }
        }
    }
}

struct Usage: Error, CustomStringConvertible {
    let flag: String
    init(_ flag: String) { self.flag = flag }
    var description: String { "bad argument \(flag); usage: http-bench [--path P] [--calls N] [--concurrency 1,16,64]" }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
}

let options = try Options(Array(CommandLine.arguments.dropFirst()))
let environment = ProcessInfo.processInfo.environment
let base = environment["GATEWAY_URL"] ?? "http://127.0.0.1:8080"
let email = environment["BENCH_EMAIL"] ?? "admin@lending.local"
let password = environment["BENCH_PASSWORD"] ?? "local-dev-only-root-password"
let gateway = GatewayClient(base: base, connections: max(64, options.concurrencies.max() ?? 1))
let http = gateway.http
let token = try await gateway.signIn(email, password)

let path = options.path
let read: @Sendable () async throws -> Void = {
    var request = HTTPClientRequest(url: base + path)
    request.headers.add(name: "Authorization", value: "Bearer \(token)")
    let response = try await http.execute(request, timeout: .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .ok else { throw Failure(description: "GET \(path) answered \(response.status.code)") }
}
for _ in 0..<200 { try await read() }  // warm-up: connections, caches, JIT-free but not cold
for concurrency in options.concurrencies {
    let report = try await LatencyReport.measure(calls: options.calls, concurrency: concurrency, read)
    print("http-bench: \(report.count) GET \(path), \(concurrency) in flight")
    print(report.summary(unit: "requests"))
}
try await gateway.shutdown()
