import CRabbitMQ
import Foundation

/// Owns C copies of Swift values for the duration of one rabbitmq-c call. rabbitmq-c keeps raw
/// pointers (`amqp_cstring_bytes` on a Swift string would dangle), so every byte it reads lives
/// here until the arena is released.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for pointer in allocations { free(pointer) }
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    func bytes(_ value: [UInt8]) -> amqp_bytes_t {
        guard !value.isEmpty, let pointer = malloc(value.count) else { return amqp_empty_bytes }
        allocations.append(pointer)
        value.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return amqp_bytes_t(len: value.count, bytes: pointer)
    }

    func cString(_ string: String) -> UnsafePointer<CChar> {
        let pointer = strdup(string)!
        allocations.append(pointer)
        return UnsafePointer(pointer)
    }

    func table(_ entries: [(String, TableValue)]) -> amqp_table_t {
        guard !entries.isEmpty else { return amqp_empty_table }
        let pointer = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: entries.count)
        allocations.append(UnsafeMutableRawPointer(pointer))
        for (index, (key, value)) in entries.enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let text):
                field.kind = UInt8(ascii: "S")
                field.value.bytes = bytes(text)
            case .int(let number):
                field.kind = UInt8(ascii: "l")
                field.value.i64 = number
            }
            (pointer + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field))
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: pointer)
    }

    func properties(_ properties: MessageProperties) -> amqp_basic_properties_t {
        var c = amqp_basic_properties_t()
        var flags: amqp_flags_t = LENDING_AMQP_FLAG_DELIVERY_MODE
        c.delivery_mode = properties.persistent ? 2 : 1
        func set(_ value: String?, _ flag: amqp_flags_t, _ field: WritableKeyPath<amqp_basic_properties_t, amqp_bytes_t>) {
            guard let value else { return }
            c[keyPath: field] = bytes(value)
            flags |= flag
        }
        set(properties.contentType, LENDING_AMQP_FLAG_CONTENT_TYPE, \.content_type)
        set(properties.messageID, LENDING_AMQP_FLAG_MESSAGE_ID, \.message_id)
        set(properties.type, LENDING_AMQP_FLAG_TYPE, \.type)
        set(properties.appID, LENDING_AMQP_FLAG_APP_ID, \.app_id)
        set(properties.correlationID, LENDING_AMQP_FLAG_CORRELATION_ID, \.correlation_id)
        set(properties.replyTo, LENDING_AMQP_FLAG_REPLY_TO, \.reply_to)
        set(properties.expiration, LENDING_AMQP_FLAG_EXPIRATION, \.expiration)
        if let timestamp = properties.timestamp {
            c.timestamp = UInt64(max(0, timestamp.timeIntervalSince1970))
            flags |= LENDING_AMQP_FLAG_TIMESTAMP
        }
        if !properties.headers.isEmpty {
            c.headers = table(properties.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
            flags |= LENDING_AMQP_FLAG_HEADERS
        }
        c._flags = flags
        return c
    }
}

extension amqp_bytes_t {
    /// A Swift copy: the C buffer is reused by rabbitmq-c after the current frame.
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }
}

extension MessageProperties {
    init(decoding c: amqp_basic_properties_t) {
        let flags = c._flags
        func get(_ flag: amqp_flags_t, _ value: amqp_bytes_t) -> String? {
            flags & flag != 0 ? value.string : nil
        }
        self.init(
            messageID: get(LENDING_AMQP_FLAG_MESSAGE_ID, c.message_id),
            type: get(LENDING_AMQP_FLAG_TYPE, c.type),
            timestamp: flags & LENDING_AMQP_FLAG_TIMESTAMP != 0
                ? Date(timeIntervalSince1970: TimeInterval(c.timestamp)) : nil,
            appID: get(LENDING_AMQP_FLAG_APP_ID, c.app_id),
            correlationID: get(LENDING_AMQP_FLAG_CORRELATION_ID, c.correlation_id),
            replyTo: get(LENDING_AMQP_FLAG_REPLY_TO, c.reply_to),
            expiration: get(LENDING_AMQP_FLAG_EXPIRATION, c.expiration),
            contentType: get(LENDING_AMQP_FLAG_CONTENT_TYPE, c.content_type),
            persistent: flags & LENDING_AMQP_FLAG_DELIVERY_MODE != 0 && c.delivery_mode == 2,
            headers: flags & LENDING_AMQP_FLAG_HEADERS != 0 ? Self.decodeHeaders(c.headers) : [:])
    }

    private static func decodeHeaders(_ table: amqp_table_t) -> [String: String] {
        var headers: [String: String] = [:]
        for index in 0..<Int(table.num_entries) {
            let entry = table.entries[index]
            let key = entry.key.string
            let value = entry.value
            switch value.kind {
            case UInt8(ascii: "S"), UInt8(ascii: "x"): headers[key] = value.value.bytes.string
            case UInt8(ascii: "l"): headers[key] = String(value.value.i64)
            case UInt8(ascii: "L"): headers[key] = String(value.value.u64)
            case UInt8(ascii: "I"): headers[key] = String(value.value.i32)
            case UInt8(ascii: "i"): headers[key] = String(value.value.u32)
            case UInt8(ascii: "s"): headers[key] = String(value.value.i16)
            case UInt8(ascii: "t"): headers[key] = value.value.boolean != 0 ? "true" : "false"
            default: continue  // tables and arrays (x-death) are diagnostics, not data
            }
        }
        return headers
    }
}

/// Turns a failed synchronous rabbitmq-c call into an error that says what the broker said.
func describe(_ reply: amqp_rpc_reply_t) -> String {
    switch reply.reply_type {
    case AMQP_RESPONSE_NORMAL:
        return "ok"
    case AMQP_RESPONSE_NONE:
        return "missing reply"
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return String(cString: amqp_error_string2(reply.library_error))
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        switch reply.reply.id {
        case LENDING_AMQP_CONNECTION_CLOSE:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return "server closed the connection: \(close.reply_code) \(close.reply_text.string)"
        case LENDING_AMQP_CHANNEL_CLOSE:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return "server closed the channel: \(close.reply_code) \(close.reply_text.string)"
        default:
            return "unexpected server method \(reply.reply.id)"
        }
    default:
        return "unknown reply type"
    }
}

func describe(status: Int32) -> String {
    String(cString: amqp_error_string2(status))
}
