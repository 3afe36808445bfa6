import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The gateways' traffic reports, and the traffic figures made from them.
struct TrafficStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    /// Stores a report once (its message id keys its rows).
    func record(_ report: TrafficReport, messageID: String) async throws {
        try await database.transaction { connection in
            for row in report.rows {
                try await connection.query(
                    """
                    INSERT INTO traffic (message_id, window_end, method, path, status_class, role, count, latency)
                    VALUES (\(messageID), \(report.to), \(row.method), \(row.path), \(row.statusClass), \(row.role), \(row.count), \(row.latency))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
    }

    /// The figures of reports that ended in `[from, to)`; `top_paths` only for `path` when given.
    func figures(from: Date, to: Date, path wanted: String? = nil) async throws -> AnalyticsRPC.Traffic.Response {
        let rows = try await database.client.query(
            """
            SELECT method, path, status_class, role, count, latency FROM traffic
            WHERE window_end >= \(from) AND window_end < \(to)
            """, logger: logger)
        var total = 0
        var byRole: [String: Int] = [:]
        var byStatusClass: [String: Int] = [:]
        var unmatched = 0
        var paths: [String: (method: String, path: String, count: Int, latency: [Int])] = [:]
        for try await (method, path, statusClass, role, count, latency) in rows.decode((String, String, String, String, Int, [Int]).self) {
            total += count
            byRole[role, default: 0] += count
            byStatusClass[statusClass, default: 0] += count
            guard path != TrafficReport.unmatchedPath else {
                unmatched += count
                continue
            }
            let key = "\(method) \(path)"
            var entry = paths[key] ?? (method, path, 0, [Int](repeating: 0, count: latency.count))
            entry.count += count
            entry.latency = zip(entry.latency, latency).map(+)
            paths[key] = entry
        }
        let top = paths.values.filter { wanted == nil || $0.path == wanted }.sorted { ($0.count, $1.path) > ($1.count, $0.path) }.prefix(20)
            .map {
                AnalyticsRPC.Traffic.Path(
                    method: $0.method, path: $0.path, count: $0.count, p50Ms: Self.percentile(0.5, of: $0.latency),
                    p95Ms: Self.percentile(0.95, of: $0.latency))
            }
        let errors = byStatusClass["5xx"] ?? 0
        return .init(
            totalRequests: total, errorRate: total == 0 ? 0 : Double(errors) / Double(total), byRole: byRole, byStatusClass: byStatusClass,
            topPaths: Array(top), unmatchedRequests: unmatched)
    }

    /// The upper bound of the histogram bucket holding the `fraction` quantile (the last bucket,
    /// unbounded, reads as twice the last bound).
    static func percentile(_ fraction: Double, of histogram: [Int]) -> Double {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return 0 }
        let rank = Int((Double(total) * fraction).rounded(.up))
        var seen = 0
        for (index, count) in histogram.enumerated() {
            seen += count
            if seen >= rank {
                let bounds = TrafficReport.latencyBucketsMs
                return index < bounds.count ? bounds[index] : (bounds.last ?? 0) * 2
            }
        }
        return 0
    }
}
