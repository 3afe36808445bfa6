import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics, set up once at start-up before anything logs or counts.
public enum Observability {
    /// The registry `/metrics` renders. Swift-metrics instruments created after `bootstrap` land here.
    public static let registry = PrometheusCollectorRegistry()

    public static func bootstrap(_ configuration: ServiceConfiguration) {
        LoggingSystem.bootstrap { label in
            JSONLogHandler(
                label: label, service: configuration.service.rawValue, instance: configuration.instance,
                level: configuration.logLevel)
        }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}
