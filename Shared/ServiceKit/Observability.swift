import Logging
import Messaging
import Metrics
import Prometheus

/// Process-wide logging and metrics, set up once at start-up before anything logs or counts.
public enum Observability {
    /// The registry `/metrics` renders. Swift-metrics instruments created after `bootstrap` land here.
    public static let registry = PrometheusCollectorRegistry()

    /// Sends logs to standard output as ``JSONLogHandler`` lines, with the current `trace_id`, and
    /// metrics to ``registry``. Once per process (swift-log and swift-metrics refuse a second
    /// bootstrap): ``ServiceHost/init(_:topology:)`` calls it.
    public static func bootstrap(_ configuration: ServiceConfiguration) {
        LoggingSystem.bootstrap(
            { label, provider in
                JSONLogHandler(
                    label: label, service: configuration.service.rawValue, instance: configuration.instance,
                    level: configuration.logLevel, metadataProvider: provider)
            }, metadataProvider: .traceContext)
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}

extension Logger.MetadataProvider {
    /// `trace_id` of the request or message being worked on (see `TraceContext`).
    static let traceContext = Logger.MetadataProvider {
        TraceContext.current.map { ["trace_id": "\($0.traceID)"] } ?? [:]
    }
}
