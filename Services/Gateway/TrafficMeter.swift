import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import Metrics
import ServiceKit
import Synchronization

/// Counts this replica's requests by route template, status class and role, with a latency
/// histogram, and hands them over in one `TrafficReport` every few seconds.
final class TrafficMeter: Sendable {
    private struct Key: Hashable {
        let method: String
        let path: String
        let statusClass: String
        let role: String
    }

    private struct Tally {
        var count = 0
        var latency = [Int](repeating: 0, count: TrafficReport.latencyBucketsMs.count + 1)
    }

    private let window = Mutex<(since: Date, tallies: [Key: Tally])>((Date(), [:]))
    let instance: String

    init(instance: String) {
        self.instance = instance
    }

    func record(method: String, path: String, status: Int, role: String, milliseconds: Double) {
        let key = Key(method: method, path: path, statusClass: "\(status / 100)xx", role: role)
        let bucket = TrafficReport.latencyBucketsMs.firstIndex { milliseconds <= $0 } ?? TrafficReport.latencyBucketsMs.count
        window.withLock { window in
            window.tallies[key, default: Tally()].count += 1
            window.tallies[key, default: Tally()].latency[bucket] += 1
        }
    }

    /// What was counted since the last report (nil if nothing), starting a new window.
    func takeReport() -> TrafficReport? {
        let now = Date()
        let (since, tallies) = window.withLock { window in
            defer { window = (now, [:]) }
            return (window.since, window.tallies)
        }
        guard !tallies.isEmpty else { return nil }
        return TrafficReport(
            instance: instance, from: since, to: now,
            rows: tallies.map { key, tally in
                .init(
                    method: key.method, path: key.path, statusClass: key.statusClass, role: key.role, count: tally.count,
                    latency: tally.latency)
            })
    }

    /// Puts a report that could not be sent back into the current window, to go with the next.
    func restore(_ report: TrafficReport) {
        window.withLock { window in
            window.since = min(window.since, report.from)
            for row in report.rows {
                let key = Key(method: row.method, path: row.path, statusClass: row.statusClass, role: row.role)
                var tally = window.tallies[key, default: Tally()]
                tally.count += row.count
                tally.latency = zip(tally.latency, row.latency).map(+)
                window.tallies[key] = tally
            }
        }
    }

    /// Sends the window's report with a publisher confirm; on failure it is kept for the next try.
    func flush(on connection: AMQPConnection) async throws {
        guard let report = takeReport() else { return }
        do {
            let message = OutgoingMessage(
                body: try JSON.encode(report),
                properties: MessageProperties(
                    messageID: UUID.random().uuidString.lowercased(), type: TrafficReport.type, timestamp: Date(), appID: instance))
            try await connection.publish(message, exchange: Exchanges.events, routingKey: TrafficReport.routingKey)
        } catch {
            restore(report)
            throw error
        }
    }
}

/// Who made the request, as the route found out (the context is copied down the middleware
/// chain; this box is shared by the copies).
final class CallerRole: Sendable {
    private let role = Mutex<String?>(nil)

    var value: String? { role.withLock { $0 } }

    func set(_ value: String) { role.withLock { $0 = value } }
}

/// Times every request and counts it once the response (or problem) is known: in the traffic
/// figures for analytics, and as Prometheus metrics by route template for the alerts.
struct TrafficMiddleware: RouterMiddleware {
    let meter: TrafficMeter

    private static let requests = MetricHandles(counters: "http_requests_total", dimensions: ["method", "route", "status"])
    private static let durations = MetricHandles(timers: "http_request_duration_seconds", dimensions: ["method", "route"])

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        // Hummingbird names the route of an unmatched request `NotFound`; every template starts with `/`.
        let template = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil }
        let route = template ?? "unmatched"
        meter.record(
            method: request.method.rawValue, path: template ?? TrafficReport.unmatchedPath, status: response.status.code,
            role: context.callerRole.value ?? "anonymous", milliseconds: milliseconds)
        Self.requests(request.method.rawValue, route, String(response.status.code)).increment()
        Self.durations(request.method.rawValue, route).record(duration: elapsed)
        return response
    }
}
