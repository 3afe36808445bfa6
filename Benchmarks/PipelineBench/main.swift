import BenchSupport
import Foundation
import NIOHTTP1
import Synchronization

// The credit pipeline end to end: applications submitted through the gateway at a steady rate,
// each analysed by the worker pool and assigned to a first approver, counted until none is left.
//
//   pipeline-bench [--rates 50,100,500] [--seconds 60] [--clients 20] [--analysts 4] [--in-flight 256]
//                  [--sequential 200] [--stack-pids PID,PID,...]
//
// GATEWAY_URL (several, separated by commas, take turns), BENCH_EMAIL / BENCH_PASSWORD (a super admin) and MAIL_DIR (where the stack files
// emails, for the new clients' verification codes). The gateway's rate limits must allow the
// load (deploy/local/bench starts a stack whose limits do).
//
// First `--sequential` submissions one at a time, 150 ms apart (their latency: what one costs
// when nothing queues). Then one round per rate, each on a product of its own: it reports the submissions the gateway
// accepted, how long the pipeline took to give every stored application its first approver, the
// sustained end-to-end rate, and how many accepted applications never reached an approver. A
// submission the gateway answered 504 may still have been stored (the client would retry it with
// its key): the end-to-end figures count what was stored, read back through the API.
//
// With --stack-pids (each service, the PostgreSQL postmaster, the RabbitMQ node, redis-server),
// each round also prints the CPU the stack spent per application: its CPU time between the first
// submission and the last assignment, divided by the applications that reached an approver.

struct Options {
    var rates = [500]
    var seconds = 60
    var clients = 20
    var analysts = 4
    var inFlight = 256
    var sequential = 200
    var stackPIDs: [Int32] = []

    init(_ arguments: [String]) throws {
        var remaining = arguments.makeIterator()
        while let flag = remaining.next() {
            guard let text = remaining.next() else { throw GatewayClient.Failure("\(flag) needs a value") }
            if flag == "--rates" {
                rates = text.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
                guard !rates.isEmpty else { throw GatewayClient.Failure("bad --rates") }
                continue
            }
            if flag == "--stack-pids" {
                stackPIDs = text.split(separator: ",").compactMap { Int32($0) }
                continue
            }
            guard let value = Int(text), value > 0 else { throw GatewayClient.Failure("bad \(flag)") }
            switch flag {
            case "--seconds": seconds = value
            case "--clients": clients = value
            case "--analysts": analysts = value
            case "--in-flight": inFlight = value
            case "--sequential": sequential = value
            default:
                throw GatewayClient.Failure(
                    "unknown \(flag); usage: pipeline-bench [--rates N,N] [--seconds N] [--clients N] [--analysts N] [--in-flight N] "
                        + "[--sequential N] [--stack-pids PID,PID]")
            }
        }
    }
}

/// Submission outcomes, shared by the submitting tasks.
final class Tally: Sendable {
    private struct Counts {
        var accepted = 0
        var refused: [Int: Int] = [:]
        var skipped = 0
    }
    private let counts = Mutex(Counts())
    private let inFlight = Atomic<Int>(0)

    /// Takes one of `limit` in-flight slots; false (and counted as not sent) when all are taken.
    func enter(limit: Int) -> Bool {
        guard inFlight.add(1, ordering: .relaxed).newValue <= limit else {
            inFlight.subtract(1, ordering: .relaxed)
            counts.withLock { $0.skipped += 1 }
            return false
        }
        return true
    }

    func leave() { inFlight.subtract(1, ordering: .relaxed) }

    func accept() { counts.withLock { $0.accepted += 1 } }
    func refuse(_ status: Int) { counts.withLock { $0.refused[status, default: 0] += 1 } }
    var accepted: Int { counts.withLock { $0.accepted } }

    func summary(inFlight: Int) -> String {
        counts.withLock { counts in
            let refused = counts.refused.sorted { $0.key < $1.key }
                .map { "\($0.key == 0 ? "no answer" : String($0.key)) ×\($0.value)" }.joined(separator: ", ")
            return "\(counts.accepted) accepted, refused \(refused.isEmpty ? "none" : refused), "
                + "\(counts.skipped) not sent (all \(inFlight) in flight)"
        }
    }
}

let options = try Options(Array(CommandLine.arguments.dropFirst()))
let environment = ProcessInfo.processInfo.environment
let gateway = GatewayClient(base: environment["GATEWAY_URL"] ?? "http://127.0.0.1:8080", connections: options.inFlight)
let admin = try await gateway.signIn(
    environment["BENCH_EMAIL"] ?? "admin@lending.local", environment["BENCH_PASSWORD"] ?? "local-dev-only-root-password")
let stackCPU = StackCPU(roots: options.stackPIDs)
let setup = try await Setup.make(
    on: gateway, admin: admin, clients: options.clients, analysts: options.analysts, mailFolder: environment["MAIL_DIR"] ?? ".run/mail")

/// The product's stored applications, and those of them that reached their first approver.
func stored(of product: String) async throws -> (all: Int, reached: Int) {
    let all = try await gateway.expect(200, .GET, "/api/v1/applications?product_id=\(product)&page_size=1", token: admin)
    let reached = try await gateway.expect(
        200, .GET, "/api/v1/applications?product_id=\(product)&status=pending_approval&page_size=1", token: admin)
    return (all["total"] as? Int ?? 0, reached["total"] as? Int ?? 0)
}

// One client submitting one application at a time, each once the pipeline has settled after the
// one before (every submission sets off a few dozen milliseconds of work across the stack, which
// would otherwise compete with the next): what a submission costs its client.
do {
    let product = try await Setup.product(on: gateway, admin: admin)
    let client = setup.clients[0]
    func submit() async throws -> Duration {
        let started = ContinuousClock.now
        let reply = try await gateway.send(
            .POST, "/api/v1/applications", ["product_id": product, "amount": "12000.00", "term_months": 24, "purpose": "Bench"],
            token: client, headers: [("Idempotency-Key", UUID().uuidString)])
        guard reply.status == 202 else { throw GatewayClient.Failure("a sequential submission answered \(reply.status)") }
        return ContinuousClock.now - started
    }
    var latencies: [Duration] = []
    for index in 0..<(options.sequential + 20) {
        let latency = try await submit()
        if index >= 20 { latencies.append(latency) }  // the first 20 warm up connections and caches
        try await Task.sleep(for: .milliseconds(150))
    }
    latencies.sort()
    let percentile = { (p: Double) in Int(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))].seconds * 1e6) }
    print(
        "pipeline-bench: \(latencies.count) POST /api/v1/applications one at a time, 150 ms apart: "
            + "p50 \(percentile(0.5)) µs, p95 \(percentile(0.95)) µs, p99 \(percentile(0.99)) µs")
}

print(
    "pipeline-bench: \(options.seconds) s per rate through \(gateway.bases.joined(separator: " and ")), \(options.clients) clients, \(options.analysts) analysts"
)
for rate in options.rates {
    let product = try await Setup.product(on: gateway, admin: admin)
    let tally = Tally()
    print("  \(rate) applications/s offered for \(options.seconds) s")
    let started = ContinuousClock.now
    let cpuAtStart = stackCPU.sample()
    var cpuAtLastProgress = cpuAtStart
    // Every 10 s: what was stored and what had reached an approver, to see whether the pipeline
    // keeps up with the intake or falls behind.
    let progress = Task {
        var lines: [String] = []
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
            guard let now = try? await stored(of: product) else { continue }
            lines.append("\(Int((ContinuousClock.now - started).seconds)) s: \(now.all) stored, \(now.reached) reached")
        }
        return lines
    }
    let interval = Duration.seconds(1) / rate
    await withDiscardingTaskGroup { group in
        for index in 0..<(rate * options.seconds) {
            try? await Task.sleep(until: started + interval * index)
            guard tally.enter(limit: options.inFlight) else { continue }
            group.addTask {
                defer { tally.leave() }
                let reply = try? await gateway.send(
                    .POST, "/api/v1/applications",
                    ["product_id": product, "amount": "12000.00", "term_months": 24, "purpose": "Bench"],
                    token: setup.clients[index % setup.clients.count], headers: [("Idempotency-Key", UUID().uuidString)])
                if reply?.status == 202 { tally.accept() } else { tally.refuse(reply?.status ?? 0) }
            }
        }
    }
    let submitted = ContinuousClock.now - started
    print("    submitted in \(submitted.text): \(tally.summary(inFlight: options.inFlight))")
    print("    the gateway accepted \(Int(Double(tally.accepted) / submitted.seconds)) applications/s")

    // Waits until every stored application has reached its approver, or nothing moved for 60 s.
    // A count that times out (loans still swamped) is asked again.
    var now = (all: Int.max, reached: 0)
    var lastProgress = ContinuousClock.now
    while now.reached < now.all, ContinuousClock.now - lastProgress < .seconds(60) {
        try await Task.sleep(for: .seconds(1))
        guard let next = try? await stored(of: product) else { continue }
        if next.reached > now.reached { (lastProgress, cpuAtLastProgress) = (ContinuousClock.now, stackCPU.sample()) }
        now = next
    }
    progress.cancel()
    let drained = lastProgress - started
    if now.all == .max { now.all = 0 }  // no count ever came back
    print(
        "    \(now.reached) of \(now.all) stored reached their first approver, the last after \(drained.text) "
            + "(\(now.all - now.reached) not reached; \(max(0, tally.accepted - now.all)) accepted but not stored)")
    print("    end to end: \(Int(Double(now.reached) / drained.seconds)) applications/s from the first submission to the last assignment")
    if !options.stackPIDs.isEmpty, now.reached > 0 {
        let spent = cpuAtLastProgress.milliseconds(since: cpuAtStart)
        let perApplication = { (ms: Double) in String(format: "%.2f", ms / Double(now.reached)) }
        print(
            "    cpu per application: \(perApplication(spent.map(\.ms).reduce(0, +))) ms ("
                + spent.map { "\($0.group) \(perApplication($0.ms))" }.joined(separator: ", ") + ")")
    }
    for line in await progress.value { print("      \(line)") }
}
try await gateway.shutdown()

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var text: String { String(format: "%.1f s", seconds) }
}
