import Logging
import Messaging
import Metrics
import OTel
import Prometheus
import ServiceLifecycle
import Tracing

/// Process-wide logging, metrics and tracing, set up once at start-up before anything logs or counts.
public enum Observability {
    /// The registry `/metrics` renders. Swift-metrics instruments created after `bootstrap` land here.
    public static let registry = PrometheusCollectorRegistry()

    /// Sends logs to standard output as ``JSONLogHandler`` lines, with the current `trace_id`, and
    /// metrics to ``registry``. When the environment asks for OTLP export (``OTLPExport``), metrics
    /// also go to the collector, and spans are recorded (`TraceSpans`) and sent there. Once per
    /// process (swift-log, swift-metrics and the instrumentation system refuse a second bootstrap):
    /// ``ServiceHost/init(_:topology:)`` calls it.
    ///
    /// - Returns: the exporters, to run as a service of the process so that what they hold is
    ///   sent on graceful shutdown; nil when nothing is exported.
    /// - Throws: `OTel.Configuration.Error` when the `OTEL_*` variables ask for what cannot be done
    ///   (the gRPC protocol, which this build leaves out, or an exporter swift-otel does not have).
    public static func bootstrap(_ configuration: ServiceConfiguration) throws -> (any Service)? {
        LoggingSystem.bootstrap(
            { label, provider in
                JSONLogHandler(
                    label: label, service: configuration.service.rawValue, instance: configuration.instance,
                    level: configuration.logLevel, metadataProvider: provider)
            }, metadataProvider: .traceContext)
        let prometheus = PrometheusMetricsFactory(registry: registry)
        let export = configuration.otlpExport
        guard export.isOn else {
            MetricsSystem.bootstrap(prometheus)
            return nil
        }
        let settings = otelSettings(configuration)
        var exporters: [any Service] = []
        if export.metrics {
            let backend = try OTel.makeMetricsBackend(configuration: settings)
            MetricsSystem.bootstrap(MultiplexMetricsHandler(factories: [prometheus, backend.factory]))
            exporters.append(backend.service)
        } else {
            MetricsSystem.bootstrap(prometheus)
        }
        if export.traces {
            let backend = try OTel.makeTracingBackend(configuration: settings)
            InstrumentationSystem.bootstrap(backend.factory)
            TraceSpans.startRecording()
            exporters.append(backend.service)
        }
        return ServiceGroup(services: exporters, logger: Logger(label: "otel"))
    }

    /// swift-otel's settings for this process, before it reads the `OTEL_*` variables over them: the
    /// service and replica name the resource, and its own diagnostics are JSON log lines like ours,
    /// warnings and errors only (at `info` it logs a line per variable it reads; `OTEL_LOG_LEVEL`
    /// asks for more).
    private static func otelSettings(_ configuration: ServiceConfiguration) -> OTel.Configuration {
        var settings = OTel.Configuration.default
        settings.serviceName = configuration.service.rawValue
        settings.resourceAttributes["service.instance.id"] = configuration.instance
        settings.diagnosticLogger = .custom(Logger(label: "otel"))
        settings.diagnosticLogLevel = .warning
        settings.logs.enabled = false
        settings.traces.enabled = configuration.otlpExport.traces
        settings.metrics.enabled = configuration.otlpExport.metrics
        return settings
    }
}

extension Logger.MetadataProvider {
    /// `trace_id` of the request or message being worked on (see `TraceContext`).
    static let traceContext = Logger.MetadataProvider {
        TraceContext.current.map { ["trace_id": "\($0.traceID)"] } ?? [:]
    }
}
