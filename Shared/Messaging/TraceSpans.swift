import Synchronization
import Tracing

/// The one bridge between ``TraceContext``, which every RPC and message carries, and the spans of
/// swift-distributed-tracing, which an OTLP exporter sends to a collector.
///
/// Off (the default: no exporter configured), a hop is what it always was: the sender takes
/// ``TraceContext/child()`` of the current context, the receiver runs in the context it received,
/// and no tracer is asked. On, each hop is a span of `InstrumentationSystem.tracer` whose parent is
/// the context the hop continues, and the hop's ``TraceContext`` is read back from the span through
/// the tracer's W3C propagator: the `traceparent` on the wire, the `trace_id` in the logs and the
/// exported spans name the same trace, and each span's parent is the span that sent it.
///
/// A hop outside any trace (a periodic task's call, a message sent without a `traceparent`)
/// records no span, on or off, so the logs of the two modes say the same.
///
/// The hops are inlinable so that, off, the caller's own code is the old path and one load.
public enum TraceSpans {
    @usableFromInline static let recording = Atomic<Bool>(false)

    /// Whether hops record spans. One relaxed load: the hot paths ask it on every hop.
    @inlinable public static var areRecorded: Bool { recording.load(ordering: .relaxed) }

    /// From now on every hop records a span with `InstrumentationSystem.tracer`: the bootstrapped
    /// tracer, or the one a task binds with `withTracer(_:_:)`. `Observability.bootstrap` calls it
    /// when traces are exported. Where the tracer records nothing (none bootstrapped, a sampler
    /// that drops everything), hops fall back to their TraceContext of old.
    public static func startRecording() {
        recording.store(true, ordering: .relaxed)
    }

    /// Runs `body` as the request that `incoming` (the client's `traceparent`, if it sent one) made
    /// of this process: the gateway's server span. It starts a trace when there is none.
    ///
    /// - Parameters:
    ///   - operation: the span's name, evaluated only when spans are recorded.
    ///   - body: runs with the request's context as `TraceContext.current`, and with the span when
    ///     one is recorded (for its attributes).
    @inlinable public static func withRequestSpan<Result>(
        _ operation: @autoclosure () -> String, continuing incoming: TraceContext?,
        _ body: (TraceContext, (any Span)?) async throws -> Result
    ) async rethrows -> Result {
        guard areRecorded else {
            let trace = incoming?.child() ?? .root()
            return try await TraceContext.$current.withValue(trace) { try await body(trace, nil) }
        }
        return try await inSpan(operation(), ofKind: .server, parent: incoming) { hop, span in
            let trace = hop ?? incoming?.child() ?? .root()
            return try await TraceContext.$current.withValue(trace) { try await body(trace, span) }
        }
    }

    /// Runs `body` as a hop this process sends on: an RPC call (`.client`) or a message
    /// (`.producer`), the child of `TraceContext.current`. Its context goes in the `traceparent`
    /// header; `TraceContext.current` stays the sender's.
    ///
    /// - Parameter body: runs with the hop's context (nil outside any trace: send no
    ///   `traceparent`) and the span, when one is recorded.
    @inlinable public static func withOutgoingSpan<Result>(
        _ operation: @autoclosure () -> String, ofKind kind: SpanKind,
        _ body: (TraceContext?, (any Span)?) async throws -> Result
    ) async rethrows -> Result {
        guard let current = TraceContext.current else { return try await body(nil, nil) }
        guard areRecorded else { return try await body(current.child(), nil) }
        return try await inSpan(operation(), ofKind: kind, parent: current) { hop, span in
            try await body(hop ?? current.child(), span)
        }
    }

    /// Runs `body` as the receiving end of a hop: an RPC request (`.server`) or a consumed message
    /// (`.consumer`) that carried `received`, with `TraceContext.current` set for its logs.
    ///
    /// - Parameter body: runs with the span, when one is recorded.
    @inlinable public static func withIncomingSpan<Result>(
        _ operation: @autoclosure () -> String, ofKind kind: SpanKind, received: TraceContext?,
        _ body: ((any Span)?) async throws -> Result
    ) async rethrows -> Result {
        guard areRecorded, let received else {
            return try await TraceContext.$current.withValue(received) { try await body(nil) }
        }
        return try await inSpan(operation(), ofKind: kind, parent: received) { hop, span in
            try await TraceContext.$current.withValue(hop ?? received) { try await body(span) }
        }
    }

    /// A span of `kind` whose parent is `parent` (a root span without one), with the span's own
    /// context as `body`'s first argument: nil when the tracer made no context of its own.
    @usableFromInline static func inSpan<Result>(
        _ operation: String, ofKind kind: SpanKind, parent: TraceContext?,
        _ body: (TraceContext?, any Span) async throws -> Result
    ) async rethrows -> Result {
        let tracer = InstrumentationSystem.tracer
        var context = InstrumentationContext.topLevel
        if let parent { tracer.extract([TraceContext.header: parent.traceparent], into: &context, using: TraceparentCarrier()) }
        let span = tracer.startSpan(operation, context: context, ofKind: kind)
        defer { span.end() }
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: TraceparentCarrier())
        let hop = carrier[TraceContext.header].flatMap(TraceContext.init(traceparent:))
        do {
            return try await InstrumentationContext.$current.withValue(span.context) { try await body(hop, span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

extension Span {
    /// Names the message a producer or consumer span is about, with OpenTelemetry's messaging
    /// attributes.
    ///
    /// - Parameter destination: the exchange it is published to, or the queue it is consumed from.
    public func describeMessage(destination: String, messageID: String?) {
        attributes["messaging.system"] = "rabbitmq"
        attributes["messaging.destination.name"] = destination
        attributes["messaging.message.id"] = messageID
    }
}

/// Headers as the tracer's propagator reads and writes them.
private struct TraceparentCarrier: Extractor, Injector {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }

    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
