/// A reply from Redis.
///
/// Bulk strings are kept as raw bytes (`[UInt8]`) because Redis values are binary-safe and need not
/// be UTF-8; ``stringValue`` decodes them when text is expected. Error replies never appear here:
/// they are thrown as ``RedisError/server(_:)`` (or returned as a failure by
/// ``RedisClient/pipeline(_:)``), including an error nested inside an array.
public enum RedisValue: Sendable, Hashable {
    /// A nil bulk string or nil array, e.g. `GET` of a missing key.
    case null
    /// A bulk string, byte for byte.
    case bulkString([UInt8])
    /// A simple status reply such as `OK` or `PONG`.
    case status(String)
    /// An integer reply, e.g. from `INCR` or `DEL`.
    case integer(Int)
    /// A multi-bulk reply, e.g. from `MGET` or `EXEC`.
    case array([RedisValue])

    /// The text of a bulk string (decoded as UTF-8) or of a status reply; `nil` for other replies.
    public var stringValue: String? {
        switch self {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The integer of an integer reply; `nil` for other replies.
    public var intValue: Int? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The elements of an array reply; `nil` for other replies.
    public var arrayValue: [RedisValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }
}
