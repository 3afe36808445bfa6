import Foundation
import Hummingbird
import Logging
import Messaging
import NIOCore
import OTel
import ServiceLifecycle
import Synchronization
import TestSupport
import Tracing

/// A span as an OTLP/HTTP exporter sent it, read from the JSON of the export request.
struct ExportedSpan: Sendable, CustomStringConvertible {
    /// OTLP's `SpanKind` numbers.
    enum Kind: Int, Sendable {
        case `internal` = 1, server, client, producer, consumer
    }

    let traceID: String
    let spanID: String
    /// Empty for a root span.
    let parentSpanID: String
    let name: String
    let kind: Kind?
    let attributes: [String: String]

    var description: String { "\(name) [\(kind.map { "\($0)" } ?? "?")] \(traceID)/\(spanID) parent \(parentSpanID)" }
}

/// Runs `body` with spans recorded (`TraceSpans`) by swift-otel's own tracer and OTLP/HTTP
/// exporter, configured as `Observability` configures a process but scoped to `body`'s task
/// (`withTracer`), exporting to an OTLP receiver on loopback. The exporter is shut down
/// gracefully afterwards, which sends what it still holds.
///
/// Recording is switched on for the whole test process, and stays on: other tests, outside the
/// scoped tracer, find none bootstrapped and keep their TraceContext of old (see `TraceSpans`).
///
/// - Returns: every span the receiver got, decoded from the export requests' JSON.
func exportingSpans(_ body: () async throws -> Void) async throws -> [ExportedSpan] {
    let received = Recorded<[ExportedSpan]>([])
    let router = Router()
    router.post("v1/traces") { request, _ -> Response in
        let bytes = try await request.body.collect(upTo: 1 << 24)
        let spans = try OTLPJSON.spans(in: Data(bytes.readableBytesView))
        received.update { $0 += spans }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
    try await servingOnLoopback(router) { baseURL in
        var settings = OTel.Configuration.default
        settings.logs.enabled = false
        settings.metrics.enabled = false
        settings.traces.otlpExporter.endpoint = "\(baseURL)/v1/traces"
        // JSON rather than protobuf: swift-otel's generated OTLP types are not public, and the
        // JSON can be read without them.
        settings.traces.otlpExporter.protocol = .httpJSON
        let backend = try OTel.makeTracingBackend(configuration: settings)
        let exporter = ServiceGroup(services: [backend.service], logger: Logger(label: "test.otel"))
        TraceSpans.startRecording()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await exporter.run() }
            let outcome: Result<Void, any Error>
            do { outcome = .success(try await withTracer(backend.factory) { try await body() }) } catch { outcome = .failure(error) }
            await exporter.triggerGracefulShutdown()
            try await group.waitForAll()
            try outcome.get()
        }
    }
    return received.value
}

/// A value the test's closures (escaping and concurrent) set and the test reads afterwards.
final class Recorded<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ initial: Value) {
        storage = Mutex(initial)
    }

    var value: Value { storage.withLock { $0 } }

    func update(_ change: (inout Value) -> Void) {
        storage.withLock { change(&$0) }
    }
}

/// The spans of an OTLP `ExportTraceServiceRequest` in its JSON encoding.
enum OTLPJSON {
    static func spans(in json: Data) throws -> [ExportedSpan] {
        let request = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
        var spans: [ExportedSpan] = []
        for resource in request["resourceSpans"] as? [[String: Any]] ?? [] {
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    spans.append(
                        ExportedSpan(
                            traceID: hex(span["traceId"]), spanID: hex(span["spanId"]), parentSpanID: hex(span["parentSpanId"]),
                            name: span["name"] as? String ?? "", kind: (span["kind"] as? Int).flatMap(ExportedSpan.Kind.init),
                            attributes: attributes(span["attributes"])))
                }
            }
        }
        return spans
    }

    /// An id as lowercase hex. The OTLP specification writes ids in hex; swift-protobuf's JSON
    /// writes `bytes` fields in base64, so both are read.
    private static func hex(_ value: Any?) -> String {
        guard let text = value as? String, !text.isEmpty else { return "" }
        if text.count == 16 || text.count == 32, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Each attribute's value as text, whatever its OTLP type (`stringValue`, `intValue`, …).
    private static func attributes(_ value: Any?) -> [String: String] {
        var attributes: [String: String] = [:]
        for attribute in value as? [[String: Any]] ?? [] {
            guard let key = attribute["key"] as? String, let typed = attribute["value"] as? [String: Any],
                let value = typed.values.first
            else { continue }
            attributes[key] = "\(value)"
        }
        return attributes
    }
}
