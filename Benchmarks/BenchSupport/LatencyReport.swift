/// Throughput and latency percentiles of `calls` made `concurrency` at a time.
public struct LatencyReport: Sendable {
    public let sorted: [Duration]
    public let elapsed: Duration

    public var count: Int { sorted.count }

    public static func measure(
        calls: Int, concurrency: Int, _ call: @escaping @Sendable () async throws -> Void
    ) async throws -> LatencyReport {
        let perTask = max(1, calls / concurrency)
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Duration] = []
                    latencies.reserveCapacity(perTask)
                    for _ in 0..<perTask {
                        let start = ContinuousClock.now
                        try await call()
                        latencies.append(ContinuousClock.now - start)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return LatencyReport(sorted: latencies.sorted(), elapsed: ContinuousClock.now - started)
    }

    public func percentile(_ p: Double) -> Double {
        let latency = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        return Double(latency.components.seconds) * 1e6 + Double(latency.components.attoseconds) / 1e12
    }

    public var perSecond: Double {
        Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    public func summary(unit: String) -> String {
        "  throughput \(Int(perSecond)) \(unit)/s; latency p50 \(Int(percentile(0.5))) µs, p95 \(Int(percentile(0.95))) µs, "
            + "p99 \(Int(percentile(0.99))) µs, max \(Int(percentile(1.0))) µs"
    }
}
