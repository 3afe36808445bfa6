import Contracts
import Foundation
import OpenAPIKit

/// Makes a JSON value a schema of the document promises: what a client may send, or a service
/// may answer. `.requiredOnly` leaves out every optional property and is null wherever null is
/// allowed; `.everyProperty` fills in every property with a value. Between them they reach both
/// ends of each optional and nullable field. Alternatives (`oneOf`, `anyOf`) take the first in
/// one and the last in the other, and `enum`s likewise.
struct SchemaSample {
    enum Fill: String, CaseIterable, Sendable {
        case requiredOnly = "required-only"
        case everyProperty = "every-property"
    }

    let fill: Fill

    func value(_ schema: DereferencedJSONSchema) -> JSONValue {
        if fill == .requiredOnly, schema.nullable { return .null }
        if let allowed = schema.allowedValues, let choice = fill == .requiredOnly ? allowed.first : allowed.last {
            return (try? JSONValue(parsing: JSONEncoder().encode(choice))) ?? .null
        }
        switch schema {
        case .null, .not:
            return .null
        case .boolean:
            return .bool(true)
        case .integer(_, let bounds):
            return .integer(Int(number(bounds.numericContext)))
        case .number(_, let bounds):
            return .number(number(bounds))
        case .string(let core, let string):
            // A scalar's example is the surest valid value: it satisfies a pattern (`Money`'s).
            if let example = schema.examples.first, case .string(let text)? = try? JSONValue(parsing: JSONEncoder().encode(example)) {
                return .string(text)
            }
            return .string(text(format: core.formatString, string))
        case .object(_, let object):
            var members: [String: JSONValue] = [:]
            for (key, property) in object.properties where fill == .everyProperty || object.requiredProperties.contains(key) {
                members[key] = value(property)
            }
            if fill == .everyProperty, let additional = object.additionalProperties?.b { members["sample"] = value(additional) }
            return .object(members)
        case .array(_, let array):
            guard let items = array.items else { return .array([]) }
            return .array(Array(repeating: value(items), count: max(1, array.minItems)))
        case .all(let members, _):
            // Each member describes part of one object: their samples merge.
            var merged: [String: JSONValue] = [:]
            for case .object(let part) in members.map(value) { merged.merge(part) { first, _ in first } }
            return .object(merged)
        case .one(let alternatives, _), .any(let alternatives, _):
            guard let chosen = fill == .requiredOnly ? alternatives.first : alternatives.last else { return .null }
            return value(chosen)
        case .fragment:
            return .object([:])
        }
    }

    /// The least number the bounds allow (1 when they allow it), at most the maximum.
    private func number(_ bounds: JSONSchema.NumericContext) -> Double {
        var number = 1.0
        if let minimum = bounds.minimum { number = minimum.exclusive ? minimum.value + 1 : minimum.value }
        if let maximum = bounds.maximum { number = min(number, maximum.exclusive ? maximum.value - 1 : maximum.value) }
        return number
    }

    private func text(format: String?, _ string: JSONSchema.StringContext) -> String {
        let text =
            switch format {
            case "uuid": "8b5a1e52-3f0c-4d7e-9a61-2c4f0e9d7b13"
            case "date": "2026-01-31"
            case "date-time": "2026-01-31T09:30:00Z"
            case "email": "ada@example.com"
            case "uri": "https://example.com/hooks"
            default: "sample text"
            }
        let padded = text.count < string.minLength ? text + String(repeating: "x", count: string.minLength - text.count) : text
        return string.maxLength.map { String(padded.prefix($0)) } ?? padded
    }
}
