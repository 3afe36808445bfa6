import Foundation

/// The one JSON dialect of the platform, on the bus and on the public API: `snake_case` keys,
/// RFC 3339 UTC timestamps.
public enum JSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let key = path[path.count - 1]
            return key.intValue == nil ? SnakeCaseKey(camelCase: key.stringValue) : key
        }
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// - Throws: a `DecodingError` when `bytes` are not JSON of `type`'s shape; unknown keys are
    ///   ignored (contract changes are additive).
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: some Collection<UInt8>) throws -> Value {
        try decoder.decode(type, from: Data(bytes))
    }
}

/// Reads `snake_case` keys into Swift names, spelling the platform's acronyms (`id`, `url`,
/// `uri`, `ip`) in capitals as Swift does: `user_id` → `userID`. (Foundation's `convertFromSnakeCase`
/// would make `userId`, which is not the property `convertToSnakeCase` wrote it from.)
struct SnakeCaseKey: CodingKey {
    static let acronyms: Set<Substring> = ["id", "url", "uri", "ip"]
    let stringValue: String
    var intValue: Int? { nil }

    init(camelCase snakeCase: String) {
        let words = snakeCase.split(separator: "_", omittingEmptySubsequences: false)
        guard words.count > 1, let first = words.first else {
            stringValue = snakeCase
            return
        }
        stringValue =
            String(first)
            + words.dropFirst().map { word in
                Self.acronyms.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
            }.joined()
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

/// The body of operations that take or return nothing.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}
