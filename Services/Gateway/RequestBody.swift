import Contracts
import Foundation
import Hummingbird

/// Reads and decodes request bodies, turning every way a body can be wrong into the documented
/// problem: no or wrong content type, or malformed JSON → 400; a body that is not an object,
/// missing fields, wrong types, nulls or fields the endpoint does not know → 422 naming the
/// field; too large → 413.
struct RequestBody: Sendable {
    let limit: Int

    func json<Body: Codable>(_ type: Body.Type, from request: Request) async throws -> Body {
        try decode(type, from: try await rawJSON(request))
    }

    /// The body's bytes, once its content type says JSON.
    private func rawJSON(_ request: Request) async throws -> Data {
        guard let contentType = request.headers[.contentType]?.lowercased(),
            contentType.hasPrefix("application/json") || contentType.contains("+json")
        else { throw Problem.badRequest("Send a JSON body with Content-Type: application/json.", slug: "unsupported-content-type") }
        return try await collect(request)
    }

    func decode<Body: Codable>(_ type: Body.Type, from bytes: Data) throws -> Body {
        switch JSONShape.violation(in: Array(bytes)) {
        case .notUTF8?: throw Problem.badRequest("The body is not UTF-8 text.", slug: "malformed-body")
        case .tooDeep?: throw Problem.badRequest("The body nests deeper than \(JSONShape.maximumDepth) levels.", slug: "malformed-body")
        case .duplicateKey(let key)?: throw Problem.badRequest("The body names \"\(key)\" twice in one object.", slug: "malformed-body")
        case .numberTooLong?: throw Problem.badRequest("The body holds a number too long to be a value.", slug: "malformed-body")
        case .nulCharacter?: throw Problem.badRequest("Text in the body may not contain NUL characters.", slug: "malformed-body")
        case nil: break
        }
        let value: Body
        do {
            value = try JSON.decoder.decode(type, from: bytes)
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        }
        if let field = try UnknownFields.first(sent: JSONValue(parsing: bytes), understood: JSONValue(encoding: value)) {
            throw Problem.validation(field: field, "is not a field of this request")
        }
        return value
    }

    /// `application/x-www-form-urlencoded`, as the OAuth2 password grant sends it.
    func form<Body: Decodable>(_ type: Body.Type, from request: Request) async throws -> Body {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw Problem.badRequest(
                "Send a form with Content-Type: application/x-www-form-urlencoded.", slug: "unsupported-content-type")
        }
        let bytes = try await collect(request)
        do {
            return try URLEncodedFormDecoder().decode(type, from: String(decoding: bytes, as: UTF8.self))
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        } catch {
            throw Problem.badRequest("The form is malformed.", slug: "malformed-body")
        }
    }

    private func collect(_ request: Request) async throws -> Data {
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("A request body is required.", slug: "malformed-body") }
        return Data(buffer.readableBytesView)
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .badRequest("The body is not valid JSON.", slug: "malformed-body")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .validation([.init(field: "body", message: "must be a JSON object")], detail: "The body must be a JSON object.")
        case .keyNotFound(let key, let context):
            return .validation(field: fieldName(context.codingPath + [key]), "is required")
        case .valueNotFound(_, let context):
            return .validation(field: fieldName(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            return .validation(field: fieldName(context.codingPath), "must be \(describe(type))")
        case .dataCorrupted(let context):
            // The platform's own value types explain themselves ("must be an amount…").
            let message = context.debugDescription.hasPrefix("must ") ? context.debugDescription : "is not a valid value"
            return .validation(field: fieldName(context.codingPath), message)
        @unknown default:
            return .badRequest("The body could not be read.", slug: "malformed-body")
        }
    }

    /// The field as the client spelled it: `snake_case`, with `[n]` for array elements.
    static func fieldName(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { name, key in
            if let index = key.intValue {
                name += "[\(index)]"
            } else {
                name += (name.isEmpty ? "" : ".") + JSONKeys.snakeCase(key.stringValue)
            }
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type, is Decimal.Type: "a number"
        default: "of type \(type)"
        }
    }
}
