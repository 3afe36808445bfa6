import Foundation
import OpenAPIKit

/// `openapi.json` as the contract tests read it: each operation's body schemas by content type,
/// every `$ref` resolved. Parsed once, with OpenAPIKit.
struct ContractDocument: Sendable {
    /// An operation's bodies: the request's by content type, the responses' by status, then
    /// content type. A content type without a schema maps to nil.
    struct Operation: Sendable {
        var request: [String: DereferencedJSONSchema?]
        var responses: [Int: [String: DereferencedJSONSchema?]]
    }

    /// Operations by `"GET /api/v1/loans/{id}"`.
    let operations: [String: Operation]

    static let shared = Result { try ContractDocument(contentsOf: sourceURL) }

    /// The document in the gateway's sources, which the gateway serves as it is.
    static let sourceURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Services/Gateway/Resources/openapi.json")

    init(contentsOf url: URL) throws {
        let document = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(contentsOf: url))
        var operations: [String: Operation] = [:]
        for route in try document.locallyDereferenced().routes {
            for endpoint in route.pathItem.endpoints {
                let responses = endpoint.operation.responses.compactMap { status, response in
                    Int(status.rawValue).map { ($0, Self.schemas(response.content)) }
                }
                operations["\(endpoint.method.rawValue) \(route.path.rawValue)"] = Operation(
                    request: endpoint.operation.requestBody.map { Self.schemas($0.content) } ?? [:],
                    responses: Dictionary(responses) { first, _ in first })
            }
        }
        self.operations = operations
    }

    private static func schemas(_ content: DereferencedContent.Map) -> [String: DereferencedJSONSchema?] {
        Dictionary(content.map { ($0.key.rawValue, $0.value.schema) }) { first, _ in first }
    }
}
