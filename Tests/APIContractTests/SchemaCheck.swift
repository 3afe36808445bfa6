import Contracts
import Foundation
import OpenAPIKit

/// One way a JSON value differs from its schema, at a JSON pointer (RFC 6901) into the value.
struct SchemaMismatch: Equatable, CustomStringConvertible {
    let pointer: String
    let problem: String

    var description: String { "\(pointer.isEmpty ? "/" : pointer): \(problem)" }
}

/// Checks a JSON value against a schema of the document: types, `enum`, the formats the API uses
/// (`uuid`, `date`, `date-time`, `email`, `uri`), `pattern`, lengths, bounds, required keys, and
/// keys the schema does not define. An object schema that names its properties is closed even
/// without `additionalProperties: false`: a key the Swift type writes and the document does not
/// name is a field no client was told of, so it is reported. Only an object that names no
/// properties (free-form, like a sync change's `data`) takes any key.
struct SchemaCheck {
    /// Every mismatch of `value` against `schema`, each once, at its own pointer.
    func mismatches(_ value: JSONValue, _ schema: DereferencedJSONSchema) -> [SchemaMismatch] {
        check(value, schema, at: "", siblingKeys: [])
    }

    /// `siblingKeys`: the properties the other members of an `allOf` define, which this member
    /// must not call undefined.
    private func check(
        _ value: JSONValue, _ schema: DereferencedJSONSchema, at pointer: String, siblingKeys: Set<String>
    )
        -> [SchemaMismatch]
    {
        if value == .null, acceptsNull(schema) { return [] }
        if let allowed = schema.allowedValues {
            let values = allowed.compactMap { try? JSONValue(parsing: JSONEncoder().encode($0)) }
            guard values.contains(value) else {
                return [.init(pointer: pointer, problem: "\(value.text) is not one of \(values.map(\.text))")]
            }
        }
        switch schema {
        case .null:
            return [.init(pointer: pointer, problem: "\(value.text) where the schema allows only null")]
        case .boolean:
            return expect(value, "a boolean", at: pointer) { if case .bool = $0 { true } else { false } }
        case .integer(_, let bounds):
            switch value {
            case .integer(let number): return checkBounds(Double(number), bounds.numericContext, at: pointer)
            case .number(let number) where number == number.rounded(): return checkBounds(number, bounds.numericContext, at: pointer)
            default: return [.init(pointer: pointer, problem: "\(value.text) is not an integer")]
            }
        case .number(_, let bounds):
            switch value {
            case .integer(let number): return checkBounds(Double(number), bounds, at: pointer)
            case .number(let number): return checkBounds(number, bounds, at: pointer)
            default: return [.init(pointer: pointer, problem: "\(value.text) is not a number")]
            }
        case .string(let core, let string):
            guard case .string(let text) = value else { return [.init(pointer: pointer, problem: "\(value.text) is not a string")] }
            return checkString(text, format: core.formatString, string, at: pointer)
        case .object(_, let object):
            guard case .object(let members) = value else { return [.init(pointer: pointer, problem: "\(value.text) is not an object")] }
            return checkObject(members, object, at: pointer, siblingKeys: siblingKeys)
        case .array(_, let array):
            guard case .array(let items) = value else { return [.init(pointer: pointer, problem: "\(value.text) is not an array")] }
            var found: [SchemaMismatch] = []
            if items.count < array.minItems {
                found.append(.init(pointer: pointer, problem: "has \(items.count) items, fewer than \(array.minItems)"))
            }
            if let itemSchema = array.items {
                for (index, item) in items.enumerated() { found += check(item, itemSchema, at: "\(pointer)/\(index)", siblingKeys: []) }
            }
            return found
        case .all(let members, _):
            let keys = members.reduce(into: siblingKeys) { $0.formUnion(Self.propertyNames($1)) }
            return members.flatMap { check(value, $0, at: pointer, siblingKeys: keys) }
        case .one(let alternatives, _):
            let matching = alternatives.filter { check(value, $0, at: pointer, siblingKeys: siblingKeys).isEmpty }.count
            return matching == 1
                ? [] : [.init(pointer: pointer, problem: "matches \(matching) of the \(alternatives.count) oneOf alternatives")]
        case .any(let alternatives, _):
            let matches = alternatives.contains { check(value, $0, at: pointer, siblingKeys: siblingKeys).isEmpty }
            return matches ? [] : [.init(pointer: pointer, problem: "matches none of the \(alternatives.count) anyOf alternatives")]
        case .not(let excluded, _):
            return check(value, excluded, at: pointer, siblingKeys: siblingKeys).isEmpty
                ? [.init(pointer: pointer, problem: "matches a not schema")] : []
        case .fragment:
            return []
        }
    }

    private func acceptsNull(_ schema: DereferencedJSONSchema) -> Bool {
        switch schema {
        case .null, .fragment: true
        case .all(let members, _): schema.nullable || members.allSatisfy(acceptsNull)
        case .one(let members, _), .any(let members, _): schema.nullable || members.contains(where: acceptsNull)
        default: schema.nullable
        }
    }

    private func expect(_ value: JSONValue, _ what: String, at pointer: String, _ matches: (JSONValue) -> Bool) -> [SchemaMismatch] {
        matches(value) ? [] : [.init(pointer: pointer, problem: "\(value.text) is not \(what)")]
    }

    private func checkBounds(_ number: Double, _ bounds: JSONSchema.NumericContext, at pointer: String) -> [SchemaMismatch] {
        var found: [SchemaMismatch] = []
        if let minimum = bounds.minimum, minimum.exclusive ? number <= minimum.value : number < minimum.value {
            found.append(.init(pointer: pointer, problem: "\(number) is below the minimum \(minimum.value)"))
        }
        if let maximum = bounds.maximum, maximum.exclusive ? number >= maximum.value : number > maximum.value {
            found.append(.init(pointer: pointer, problem: "\(number) is above the maximum \(maximum.value)"))
        }
        return found
    }

    private func checkString(_ text: String, format: String?, _ string: JSONSchema.StringContext, at pointer: String) -> [SchemaMismatch] {
        var found: [SchemaMismatch] = []
        if let format, let valid = Self.formats[format], !valid(text) {
            found.append(.init(pointer: pointer, problem: "\"\(text)\" is not of format \(format)"))
        }
        if let pattern = string.pattern, text.range(of: pattern, options: .regularExpression) == nil {
            found.append(.init(pointer: pointer, problem: "\"\(text)\" does not match the pattern \(pattern)"))
        }
        if text.count < string.minLength {
            found.append(.init(pointer: pointer, problem: "is shorter than \(string.minLength) characters"))
        }
        if let maxLength = string.maxLength, text.count > maxLength {
            found.append(.init(pointer: pointer, problem: "is longer than \(maxLength) characters"))
        }
        return found
    }

    private func checkObject(
        _ members: [String: JSONValue], _ object: DereferencedJSONSchema.ObjectContext, at pointer: String, siblingKeys: Set<String>
    ) -> [SchemaMismatch] {
        var found = object.requiredProperties.filter { members[$0] == nil }.sorted().map {
            SchemaMismatch(pointer: pointer, problem: "the required key \"\($0)\" is missing")
        }
        let closed = object.additionalProperties?.a == false || !object.properties.isEmpty
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            let memberPointer = "\(pointer)/\(Self.escaped(key))"
            if let property = object.properties[key] {
                found += check(member, property, at: memberPointer, siblingKeys: [])
            } else if let additional = object.additionalProperties?.b {
                found += check(member, additional, at: memberPointer, siblingKeys: [])
            } else if closed, !siblingKeys.contains(key) {
                found.append(.init(pointer: memberPointer, problem: "the key is not defined by the schema"))
            }
        }
        return found
    }

    /// The properties an object schema (or every member of an `allOf`) defines.
    private static func propertyNames(_ schema: DereferencedJSONSchema) -> Set<String> {
        switch schema {
        case .object(_, let object): Set(object.properties.keys)
        case .all(let members, _): members.reduce(into: []) { $0.formUnion(propertyNames($1)) }
        default: []
        }
    }

    /// RFC 6901: `~` and `/` in a key.
    static func escaped(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The formats the API uses, as the platform's types write them.
    static let formats: [String: @Sendable (String) -> Bool] = [
        "uuid": { UUID(uuidString: $0) != nil },
        "date": { CalendarDate($0) != nil },
        "date-time": { text in
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions.insert(.withFractionalSeconds)
            return plain.date(from: text) != nil || fractional.date(from: text) != nil
        },
        "email": { $0.contains("@") },
        "uri": { URL(string: $0)?.scheme != nil },
    ]
}

extension JSONValue {
    /// The value as JSON text, for messages.
    var text: String {
        (try? JSONEncoder().encode(self)).flatMap { String(decoding: $0, as: UTF8.self) } ?? "\(self)"
    }
}
