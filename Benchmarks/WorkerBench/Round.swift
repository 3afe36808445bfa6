import Contracts
import Foundation
import Messaging

/// One measurement: W workers of concurrency C analyse N requests published at once.
struct Round {
    let workers: Int
    let concurrency: Int
    var requests: Int
    let bureauLatency: Duration

    struct Outcome {
        let elapsed: Duration
        /// Sorted.
        let latencies: [Duration]
        let withBureauScore: Int

        var throughput: Double { Double(latencies.count) / elapsed.seconds }

        func percentile(_ fraction: Double) -> Duration {
            latencies[min(latencies.count - 1, Int(Double(latencies.count) * fraction))]
        }
    }

    /// Publishes the requests and waits for their results; a round in which no result arrives for
    /// `stall` has failed.
    func measure(on bus: AMQPConnection, into log: ResultLog, stall: Duration = .seconds(30)) async throws -> Outcome {
        log.reset()
        let requests = (0..<requests).map { _ in Self.request() }
        let publications = try requests.map {
            Publication(
                message: OutgoingMessage(
                    body: try JSON.encode($0),
                    properties: MessageProperties(messageID: UUID().uuidString, type: AnalysisEvents.Requested.type)),
                exchange: Exchanges.events, routingKey: AnalysisEvents.Requested.routingKey)
        }
        let started = ContinuousClock.now
        log.sent(requests.map(\.applicationID), at: started)
        for published in await bus.publish(publications) { try published.get() }
        var lastProgress = (count: 0, at: ContinuousClock.now)
        while true {
            let snapshot = log.snapshot
            if snapshot.latencies.count == requests.count {
                return Outcome(
                    elapsed: (snapshot.lastResult ?? .now) - started, latencies: snapshot.latencies.sorted(),
                    withBureauScore: snapshot.withBureauScore)
            }
            if snapshot.latencies.count > lastProgress.count { lastProgress = (snapshot.latencies.count, .now) }
            if ContinuousClock.now - lastProgress.at > stall {
                throw BenchError("only \(snapshot.latencies.count) of \(requests.count) results, none for \(stall)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// An applicant the scorecard approves; the work is the same for any.
    private static func request() -> AnalysisEvents.Requested {
        AnalysisEvents.Requested(
            applicationID: UUID(), customerID: UUID(), amount: Money("10000.00")!, termMonths: 24, annualRate: Percent("12.00")!,
            instalment: Money("470.00")!,
            snapshot: ApplicantSnapshot(
                dateOfBirth: CalendarDate("1985-05-05")!,
                financial: FinancialDetails(
                    monthlyIncome: Money("6000.00")!, monthlyExpenses: Money("1000.00")!, existingMonthlyDebt: Money("0.00")!),
                employment: EmploymentDetails(employmentType: .salaried, employer: "Acme", yearsEmployed: 5),
                repaymentHistory: .init(previousLoans: 0, closedLoans: 0, overdueInstalments: 0)),
            requestedAt: Date())
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Int { Int(seconds * 1000) }
}

extension Round {
    func summary(_ outcome: Outcome) -> String {
        String(
            format:
                "workers %ld, concurrency %ld, bureau latency %ld ms: %ld requests in %.2f s, %.0f analyses/s, request→result p50 %ld ms, p99 %ld ms, %ld with a bureau score",
            workers, concurrency, bureauLatency.milliseconds, requests, outcome.elapsed.seconds, outcome.throughput,
            outcome.percentile(0.50).milliseconds, outcome.percentile(0.99).milliseconds, outcome.withBureauScore)
    }

    static let tableHeader = "workers  concurrency  bureau ms  requests  seconds  analyses/s  p50 ms  p99 ms"

    func tableRow(_ outcome: Outcome) -> String {
        String(
            format: "%7ld  %11ld  %9ld  %8ld  %7.2f  %10.0f  %6ld  %6ld", workers, concurrency, bureauLatency.milliseconds, requests,
            outcome.elapsed.seconds, outcome.throughput, outcome.percentile(0.50).milliseconds, outcome.percentile(0.99).milliseconds)
    }
}
