import Foundation
import TestSupport
import Testing

/// The whole route × role matrix, generated from the OpenAPI document the gateway serves: every
/// operation names the roles it admits (`x-roles`, `anyone` for public ones), and every cell is
/// called. An admitted role is served (whatever the answer, it is not an access refusal), any
/// other role gets `403`, and a call without a token `401`. A route cannot ship without its row:
/// an operation without `x-roles` fails the test.
///
/// Requests carry a minimal body of the documented shape, with empty strings where the schema
/// gives no example, so that a service refuses the values after its role check instead of
/// acting on them; ids are random.
@Suite struct RoleMatrixTests {
    static let roles = ["client", "analyst", "manager", "director", "admin", "super_admin"]
    /// Operations that end the caller's session: each cell gets a fresh sign-in.
    static let sessionEnding: Set<String> = ["POST /api/v1/auth/logout", "POST /api/v1/auth/logout-all"]

    struct Operation: CustomStringConvertible {
        let method: API.Method
        let path: String
        let roles: [String]?
        let body: (text: String, contentType: String)?
        var description: String { "\(method) \(path)" }
    }

    @Test func everyOperationAdmitsExactlyItsRoles() async throws {
        let document = try await API().get("/api/v1/openapi.json").json
        let operations = try Self.operations(in: document)
        let unlisted = operations.filter { $0.roles == nil }.map(\.description)
        #expect(unlisted.isEmpty, "operations without x-roles: \(unlisted)")

        // A figure for the notes: how many cells were called.
        print("role matrix: \(operations.count) operations × \(Self.roles.count + 1) callers (anonymous and each role)")
        let anonymous = try API()
        for operation in operations {
            let reply = try await call(operation, token: nil, api: anonymous)
            if operation.roles == ["anyone"] {
                #expect(!Self.isAccessRefusal(reply), "anonymous → \(operation): \(reply.status) \(reply.text)")
            } else {
                #expect(reply.status == 401, "anonymous → \(operation): \(reply.status) \(reply.text)")
            }
        }

        for role in Self.roles {
            let api = try API()  // an address of its own: the per-address budget is per role
            // Staff, a super admin too, are new accounts: signing out everywhere must never touch
            // the shared bootstrap super admin.
            let approvers = try Approvers()
            let account: Approvers.SignIn
            let token: String
            if role == "client" {
                let email = try await approvers.accounts.activeClient()
                account = Approvers.SignIn(email: email, totp: nil)
                token = try await approvers.accounts.login(email).access
            } else {
                let member = try await approvers.staffAccount(role)
                account = member.account
                token = member.token
            }
            // Signing out everywhere ends every session of the member, so those cells come last.
            let ordered =
                operations.filter { !Self.sessionEnding.contains($0.description) }
                + operations.filter { Self.sessionEnding.contains($0.description) }
            for operation in ordered {
                let cellToken =
                    Self.sessionEnding.contains(operation.description) ? try await approvers.signIn(account, through: api) : token
                let reply = try await call(operation, token: cellToken, api: api)
                let admitted = operation.roles.map { $0.contains("anyone") || $0.contains(role) } ?? false
                if admitted {
                    #expect(!Self.isAccessRefusal(reply), "\(role) → \(operation): \(reply.status) \(reply.text)")
                } else {
                    #expect(reply.status == 403, "\(role) → \(operation): \(reply.status) \(reply.text)")
                }
            }
        }
    }

    /// A `401` about the token or a `403` about the role: the caller was not let in.
    static func isAccessRefusal(_ reply: API.Reply) -> Bool {
        let type = reply.problemType ?? ""
        switch reply.status {
        case 401: return ["missing-token", "invalid-token", "revoked-token"].contains { type.hasSuffix($0) }
        case 403: return ["forbidden", "mfa-setup-required"].contains { type.hasSuffix($0) }
        default: return false
        }
    }

    private func call(_ operation: Operation, token: String?, api: API) async throws -> API.Reply {
        let path = operation.path.replacing(/\{[a-z_]+\}/) { match in
            match.output == "{queue}" ? "matrix.no-such-queue" : UUID().uuidString.lowercased()
        }
        return try await api.send(
            operation.method, path, body: operation.body?.text, contentType: operation.body?.contentType, token: token)
    }

    // MARK: The document

    static func operations(in document: [String: Any]) throws -> [Operation] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        var operations: [Operation] = []
        for (path, methods) in paths.sorted(by: { $0.key < $1.key }) {
            for (name, value) in methods.sorted(by: { $0.key < $1.key }) {
                guard ["get", "post", "put", "patch", "delete"].contains(name), let operation = value as? [String: Any] else { continue }
                let method = API.Method(rawValue: name.uppercased())
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: [String: Any]] ?? [:]
                var body: (String, String)?
                if let json = content["application/json"]?["schema"] as? [String: Any] {
                    let sample = Self.sample(json, components)
                    body = (
                        String(decoding: try JSONSerialization.data(withJSONObject: sample, options: [.fragmentsAllowed]), as: UTF8.self),
                        "application/json"
                    )
                } else if content["application/x-www-form-urlencoded"] != nil {
                    body = ("username=&password=", "application/x-www-form-urlencoded")
                } else if content["multipart/form-data"] != nil {
                    let boundary = "matrix-boundary"
                    body = (
                        [
                            "--\(boundary)", "Content-Disposition: form-data; name=\"document_type\"", "", "other",
                            "--\(boundary)", "Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"",
                            "Content-Type: application/pdf", "",
                            "%PDF-1.4\n%%EOF", "--\(boundary)--", "",
                        ].joined(separator: "\r\n"), "multipart/form-data; boundary=\(boundary)"
                    )
                }
                operations.append(Operation(method: method, path: path, roles: operation["x-roles"] as? [String], body: body))
            }
        }
        return operations
    }

    /// The smallest value of `schema`'s shape: required properties only, the first enum value or
    /// example, a random UUID, an empty string otherwise (which services refuse after checking
    /// the role).
    static func sample(_ schema: [String: Any], _ components: [String: Any]) -> Any {
        if let reference = schema["$ref"] as? String, let name = reference.split(separator: "/").last,
            let resolved = components[String(name)] as? [String: Any]
        {
            return sample(resolved, components)
        }
        if let all = schema["allOf"] as? [[String: Any]] {
            return all.map { sample($0, components) }.reduce(into: [String: Any]()) { merged, part in
                merged.merge(part as? [String: Any] ?? [:]) { first, _ in first }
            }
        }
        if let one = (schema["oneOf"] ?? schema["anyOf"]) as? [[String: Any]], let first = one.first { return sample(first, components) }
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        if let examples = schema["examples"] as? [Any], let first = examples.first { return first }
        if let example = schema["example"] { return example }
        let types = (schema["type"] as? [String]) ?? [(schema["type"] as? String) ?? "object"]
        if types.contains("null") { return NSNull() }
        switch types.first {
        case "object":
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            let required = schema["required"] as? [String] ?? []
            return required.reduce(into: [String: Any]()) { object, name in
                object[name] = properties[name].map { sample($0, components) } ?? ""
            }
        case "array":
            let count = schema["minItems"] as? Int ?? 0
            let items = schema["items"] as? [String: Any] ?? [:]
            return (0..<count).map { _ in sample(items, components) }
        case "integer", "number":
            return schema["minimum"] as? Int ?? 1
        case "boolean":
            return false
        default:
            switch schema["format"] as? String {
            case "uuid": return UUID().uuidString.lowercased()
            case "date": return "2026-01-01"
            case "date-time": return "2026-01-01T00:00:00Z"
            default: return ""
            }
        }
    }
}
