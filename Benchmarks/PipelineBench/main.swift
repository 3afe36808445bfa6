import BenchSupport
import Foundation
import NIOHTTP1
import Synchronization

// The credit pipeline end to end: applications submitted through the gateway at a steady rate,
// each analysed by the worker pool and assigned to a first approver, counted until none is left.
//
//   pipeline-bench [--rate 500] [--seconds 60] [--clients 20] [--analysts 4] [--in-flight 256]
//
// GATEWAY_URL, BENCH_EMAIL / BENCH_PASSWORD (a super admin) and MAIL_DIR (where the stack files
// emails, for the new clients' verification codes). The gateway's rate limits must allow the
// load (deploy/local/bench starts a stack whose limits do).
//
// It reports the submission rate the gateway took, how long the stages took to reach everyone,
// the sustained end-to-end rate, and how many accepted applications never reached an approver.

struct Options {
    var rate = 500
    var seconds = 60
    var clients = 20
    var analysts = 4
    var inFlight = 256

    init(_ arguments: [String]) throws {
        var remaining = arguments.makeIterator()
        while let flag = remaining.next() {
            guard let text = remaining.next(), let value = Int(text), value > 0 else { throw GatewayClient.Failure("bad \(flag)") }
            switch flag {
            case "--rate": rate = value
            case "--seconds": seconds = value
            case "--clients": clients = value
            case "--analysts": analysts = value
            case "--in-flight": inFlight = value
            default: throw GatewayClient.Failure("unknown \(flag); usage: pipeline-bench [--rate N] [--seconds N] [--clients N] [--analysts N] [--in-flight N]")
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

    func accept() { counts.withLock { $0.accepted += 1 } }
    func refuse(_ status: Int) { counts.withLock { $0.refused[status, default: 0] += 1 } }
    /// A tick found every in-flight slot taken: the gateway is behind the rate.
    func skip() { counts.withLock { $0.skipped += 1 } }
    var accepted: Int { counts.withLock { $0.accepted } }
    var summary: String {
        counts.withLock { counts in
            "\(counts.accepted) accepted, refused \(counts.refused.isEmpty ? "none" : counts.refused.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "no answer" : String($0.key)) ×\($0.value)" }.joined(separator: ", ")), \(counts.skipped) ticks skipped (all \(options.inFlight) in flight)"
        }
    }
}

let options = try Options(Array(CommandLine.arguments.dropFirst()))
let environment = ProcessInfo.processInfo.environment
let gateway = GatewayClient(base: environment["GATEWAY_URL"] ?? "http://127.0.0.1:8080", connections: options.inFlight)
let admin = try await gateway.signIn(
    environment["BENCH_EMAIL"] ?? "admin@lending.local", environment["BENCH_PASSWORD"] ?? "local-dev-only-admin-password")
let setup = try await Setup.make(
    on: gateway, admin: admin, clients: options.clients, analysts: options.analysts, mailFolder: environment["MAIL_DIR"] ?? ".run/mail")

/// Open stages across all approvers: each application that reached its first approver has one.
func openStages() async throws -> Int {
    let reply = try await gateway.expect(200, .GET, "/api/v1/approvals/tasks?assignee=any&status=open&page_size=1", token: admin)
    return reply["total"] as? Int ?? 0
}

let before = try await openStages()
let tally = Tally()
let inFlight = Atomic<Int>(0)
print("pipeline-bench: \(options.rate) applications/s for \(options.seconds) s through \(gateway.base), \(options.clients) clients, \(options.analysts) analysts")
let started = ContinuousClock.now
// Every 5 s: how many were accepted and how many had reached an approver, to see whether the
// pipeline keeps up with the intake or falls behind.
let progress = Task {
    var lines: [String] = []
    while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(5))
        guard let reached = try? await openStages() else { continue }
        lines.append("\(Int((ContinuousClock.now - started).seconds)) s: \(tally.accepted) accepted, \(reached - before) reached")
    }
    return lines
}
let interval = Duration.seconds(1) / options.rate
await withDiscardingTaskGroup { group in
    let total = options.rate * options.seconds
    for index in 0..<total {
        try? await Task.sleep(until: started + interval * index)
        guard inFlight.add(1, ordering: .relaxed).newValue <= options.inFlight else {
            inFlight.subtract(1, ordering: .relaxed)
            tally.skip()
            continue
        }
        group.addTask {
            defer { inFlight.subtract(1, ordering: .relaxed) }
            let reply = try? await gateway.send(
                .POST, "/api/v1/applications",
                ["product_id": setup.product, "amount": "12000.00", "term_months": 24, "purpose": "Bench"],
                token: setup.clients[index % setup.clients.count], headers: [("Idempotency-Key", UUID().uuidString)])
            if reply?.status == 202 { tally.accept() } else { tally.refuse(reply?.status ?? 0) }
        }
    }
}
let submitted = ContinuousClock.now - started
let accepted = tally.accepted
print("  submitted in \(submitted.text): \(tally.summary)")
print("  the gateway took \(Int(Double(accepted) / submitted.seconds)) applications/s")

// Waits until every accepted application has its open stage, or nothing moved for 60 s.
var reached = try await openStages() - before
var lastProgress = ContinuousClock.now
while reached < accepted, ContinuousClock.now - lastProgress < .seconds(60) {
    try await Task.sleep(for: .seconds(1))
    let now = try await openStages() - before
    if now > reached { lastProgress = .now }
    reached = now
}
progress.cancel()
let drained = lastProgress - started
print("  \(reached) of \(accepted) reached their first approver, the last after \(drained.text) (\(accepted - reached) not reached)")
print("  end to end: \(Int(Double(reached) / drained.seconds)) applications/s sustained from the first submission to the last assignment")
for line in await progress.value { print("    \(line)") }
try await gateway.shutdown()

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var text: String { String(format: "%.1f s", seconds) }
}
