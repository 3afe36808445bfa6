/// A W3C Trace Context (`traceparent`): the trace a client request belongs to. The gateway starts
/// one per request (or continues the caller's), and it travels in a `traceparent` header on every
/// RPC and every message that request causes, through outboxes and consumers, so that every log
/// line of one request, in any service, carries its `trace_id`.
public struct TraceContext: Sendable, Equatable {
    public static let header = "traceparent"

    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// 16 lowercase hex digits, not all zero: this hop.
    public let spanID: String
    public let sampled: Bool

    /// The context of the request or message the current task works for.
    @TaskLocal public static var current: TraceContext?

    /// Parses `00-<trace id>-<span id>-<flags>`; nil for anything else (a malformed header starts
    /// a new trace rather than failing the request).
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[3].count == 2, let flags = UInt8(parts[3], radix: 16),
            Self.isID(parts[1], length: 32), Self.isID(parts[2], length: 16)
        else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    private init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// A new trace.
    public static func root() -> TraceContext {
        TraceContext(traceID: randomHex(16), spanID: randomHex(8), sampled: true)
    }

    /// The next hop of the same trace.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomHex(8), sampled: sampled)
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// The context carried in message or RPC headers, if any.
    public static func from(_ headers: [String: String]) -> TraceContext? {
        headers[header].flatMap(TraceContext.init(traceparent:))
    }

    /// Byte by byte: every message and RPC parses one, and Character-based checks cost a few
    /// percent of a hop's CPU (measured).
    private static func isID(_ text: Substring, length: Int) -> Bool {
        let bytes = text.utf8
        return bytes.count == length
            && bytes.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
            && bytes.contains { $0 != UInt8(ascii: "0") }
    }

    /// `count` (8 or 16) random bytes as lowercase hex, never all zero. Written out by hand:
    /// every RPC makes one, and `String(radix:)` with padding cost a few percent of a hop.
    private static func randomHex(_ count: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { bytes in
            fillRandom(UnsafeMutableRawBufferPointer(bytes))
            if !bytes.contains(where: { $0 != 0 }) { bytes[count - 1] = 1 }
            return String(unsafeUninitializedCapacity: 2 * count) { text in
                for (index, byte) in bytes.enumerated() {
                    text[2 * index] = hexDigits[Int(byte >> 4)]
                    text[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
                }
                return 2 * count
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
