import Configuration

/// Which signals a process sends to an OpenTelemetry collector over OTLP/HTTP, decided from the
/// standard OpenTelemetry variables. Nothing is exported unless the environment asks: a process
/// without them has no tracer and no second metrics backend, and costs what it did before.
///
/// A signal is exported when `OTEL_SDK_DISABLED` is not `true` and either its exporter variable
/// (`OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`) names one (anything but `none`), or it is
/// unset and an OTLP endpoint is (`OTEL_EXPORTER_OTLP_ENDPOINT`, or the signal's own
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`); an empty variable
/// counts as unset (so a deployment can switch export off by emptying one). The rest of the
/// exporter's settings (protocol, headers, sampler, batching, export interval) are swift-otel's
/// reading of the same variables. Logs are never exported this way: they stay JSON lines on
/// standard output, with the `trace_id` of the exported spans.
public struct OTLPExport: Sendable, Equatable {
    public let traces: Bool
    public let metrics: Bool

    public init(traces: Bool, metrics: Bool) {
        self.traces = traces
        self.metrics = metrics
    }

    init(reader: ConfigReader) {
        func value(_ key: String) -> String? { reader.string(forKey: ConfigKey(key)).flatMap { $0.isEmpty ? nil : $0.lowercased() } }
        guard value("otel.sdk.disabled") != "true" else {
            self.init(traces: false, metrics: false)
            return
        }
        func isExported(_ signal: String) -> Bool {
            if let exporter = value("otel.\(signal).exporter") { return exporter != "none" }
            return value("otel.exporter.otlp.endpoint") != nil || value("otel.exporter.otlp.\(signal).endpoint") != nil
        }
        self.init(traces: isExported("traces"), metrics: isExported("metrics"))
    }

    /// Whether anything is exported at all.
    public var isOn: Bool { traces || metrics }
}
