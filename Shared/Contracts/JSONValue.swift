import Foundation

/// Any JSON value, for the few places that carry a document whose shape is not one type: a
/// resource as it now is inside a `412` problem, an entity in the change feed, a replayed
/// response in a sync batch. Its keys are written as they are (already `snake_case`).
public indirect enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON of an encodable value, in the platform's dialect.
    public init(encoding value: some Encodable) throws {
        self = try JSONValue(parsing: JSON.encode(value))
    }

    /// Parses JSON text, keys exactly as written.
    public init(parsing bytes: some Collection<UInt8>) throws {
        self = try Self.verbatim.decode(JSONValue.self, from: Data(bytes))
    }

    private static let keysAsWritten = CodingUserInfoKey(rawValue: "JSONValue.keysAsWritten")!
    private static let verbatim: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.userInfo[keysAsWritten] = true
        return decoder
    }()

    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: JSONValue] = [:]
            // The platform's decoder reads keys into Swift's camelCase; spell them as sent again.
            let asWritten = decoder.userInfo[Self.keysAsWritten] as? Bool == true
            for key in object.allKeys {
                values[asWritten ? key.stringValue : JSONKeys.snakeCase(key.stringValue)] = try object.decode(JSONValue.self, forKey: key)
            }
            self = .object(values)
        } else if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let value = try? single.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? single.decode(Int.self) {
                self = .integer(value)
            } else if let value = try? single.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .integer(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .number(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .string(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .array(let values):
            var array = encoder.unkeyedContainer()
            for value in values { try array.encode(value) }
        case .object(let values):
            var object = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in values { try object.encode(value, forKey: AnyKey(stringValue: key)) }
        }
    }

    /// The value under `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let values) = self { values[key] } else { nil }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// How the platform's JSON spells a Swift property: `snake_case`, an acronym as one word
/// (`nationalID` → `national_id`).
public enum JSONKeys {
    /// - Returns: `name` in `snake_case`, a run of capitals as one word: `changedAt` →
    ///   `changed_at`, `userID` → `user_id`.
    public static func snakeCase(_ name: String) -> String {
        var result = ""
        var previousWasUpper = false
        for character in name {
            if character.isUppercase {
                if !result.isEmpty && !previousWasUpper { result += "_" }
                result += character.lowercased()
                previousWasUpper = true
            } else {
                result.append(character)
                previousWasUpper = false
            }
        }
        return result
    }
}
