import Configuration
import Contracts
import ServiceKit
import Testing

/// When a process exports over OTLP, read from the standard OpenTelemetry variables: nothing
/// unless they say so.
@Suite struct OTLPExportTests {
    private func export(_ environment: [String: String]) -> OTLPExport {
        ServiceConfiguration(
            service: .loans, reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
        ).otlpExport
    }

    @Test func nothingIsExportedUnlessConfigured() {
        #expect(export([:]) == OTLPExport(traces: false, metrics: false))
        #expect(export(["OTEL_SERVICE_NAME": "loans", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]).isOn == false)
        #expect(export(["OTEL_EXPORTER_OTLP_ENDPOINT": ""]).isOn == false)
    }

    @Test func anEndpointExportsTracesAndMetrics() {
        #expect(export(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]) == OTLPExport(traces: true, metrics: true))
        #expect(
            export(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"])
                == OTLPExport(traces: true, metrics: false))
    }

    @Test func theExporterVariablesAndTheSDKSwitchDecide() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(export(endpoint.merging(["OTEL_METRICS_EXPORTER": "none"]) { $1 }) == OTLPExport(traces: true, metrics: false))
        #expect(export(["OTEL_TRACES_EXPORTER": "otlp"]) == OTLPExport(traces: true, metrics: false))
        #expect(export(endpoint.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }).isOn == false)
    }
}
