import Contracts
import Foundation
import OpenAPIKit
import Testing

@testable import Gateway

/// Each JSON body's Swift type against its schema in openapi.json: a sample of what the schema
/// allows (with only the required properties, and with every property) must decode into the
/// type, keep every documented key, and encode it again as the schema says. One issue per
/// mismatch, at its JSON pointer.
@Suite struct BodyContractTests {
    static let requests = RouteTable.all.filter { $0.request?.json != nil }
    static let responses = RouteTable.all.filter { $0.response?.json != nil }

    let document: ContractDocument

    init() throws {
        document = try ContractDocument.shared.get()
    }

    @Test(arguments: requests, SchemaSample.Fill.allCases)
    func requestBody(_ route: DocumentedRoute, _ fill: SchemaSample.Fill) throws {
        let type = try #require(route.request?.json)
        let schema = try #require(document.operations[route.description]?.request["application/json"] ?? nil, "no request schema")
        check("\(route) request", type, schema, fill)
    }

    @Test(arguments: responses, SchemaSample.Fill.allCases)
    func responseBody(_ route: DocumentedRoute, _ fill: SchemaSample.Fill) throws {
        let type = try #require(route.response?.json)
        let schema = try #require(
            document.operations[route.description]?.responses[route.status]?["application/json"] ?? nil, "no response schema")
        check("\(route) \(route.status) response", type, schema, fill)
    }

    private func check(_ body: String, _ type: any ContractType.Type, _ schema: DereferencedJSONSchema, _ fill: SchemaSample.Fill) {
        let sample = SchemaSample(fill: fill).value(schema)
        let encoded: JSONValue
        do {
            encoded = try Self.roundTrip(type, sample)
        } catch {
            Issue.record("\(body), \(fill.rawValue) sample: \(type) does not decode it: \(Self.describe(error))\n\(sample.text)")
            return
        }
        for pointer in DroppedKeys.pointers(in: sample, missingFrom: encoded) {
            Issue.record("\(body), \(fill.rawValue) sample: \(type) has no property for the documented key at \(pointer)")
        }
        for mismatch in SchemaCheck().mismatches(encoded, schema) {
            Issue.record("\(body), \(fill.rawValue) sample as \(type) encodes it, at \(mismatch)")
        }
    }

    /// `sample` decoded into `type` and encoded again, in the platform's JSON dialect.
    private static func roundTrip<Value: ContractType>(_ type: Value.Type, _ sample: JSONValue) throws -> JSONValue {
        let value = try JSON.decode(type, from: JSONEncoder().encode(sample))
        return try JSONValue(parsing: JSON.encode(value))
    }

    /// A decoding error by the JSON pointer of its key and what was wrong there.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let (context, what): (DecodingError.Context, String) =
            switch error {
            case .keyNotFound(let key, let context): (context, "the key \"\(JSONKeys.snakeCase(key.stringValue))\" is missing")
            case .typeMismatch(let type, let context): (context, "expected \(type)")
            case .valueNotFound(let type, let context): (context, "expected \(type), found null")
            case .dataCorrupted(let context): (context, "the value is not valid")
            @unknown default: (DecodingError.Context(codingPath: [], debugDescription: ""), "\(error)")
            }
        let pointer = context.codingPath.map { "/" + ($0.intValue.map(String.init) ?? JSONKeys.snakeCase($0.stringValue)) }.joined()
        return "at \(pointer.isEmpty ? "/" : pointer): \(what) (\(context.debugDescription))"
    }
}
