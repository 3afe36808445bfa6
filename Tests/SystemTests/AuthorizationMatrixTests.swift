import Contracts
import Crypto
import Foundation
import JWTKit
import ServiceKit
import TestSupport
import Testing

/// Every route that needs a caller, against every role and against every kind of bad token.
/// The rules live in the owning service; the gateway only proves who is calling.
@Suite struct AuthorizationMatrixTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    struct Route: CustomStringConvertible {
        let method: API.Method
        let path: String
        let body: [String: Any]?
        var description: String { "\(method) \(path)" }
    }

    /// Routes whose effect leaves the caller's token usable, with a body that is valid for them.
    static func routes(target: String) -> [Route] {
        [
            Route(method: .GET, path: "/api/v1/auth/me", body: nil),
            Route(method: .GET, path: "/api/v1/users", body: nil),
            Route(method: .POST, path: "/api/v1/users", body: [
                "email": "matrix-\(UUID().uuidString.prefix(8).lowercased())@staff.example", "password": "a sound password",
                "full_name": "Matrix", "role": "analyst",
            ]),
            Route(method: .PATCH, path: "/api/v1/users/\(target)", body: ["status": "active"]),
            Route(method: .POST, path: "/api/v1/auth/mfa/setup", body: nil),
        ]
    }

    /// Every route that needs a token, including those that end the session.
    static var signedInRoutes: [Route] {
        routes(target: UUID().uuidString) + [
        Route(method: .POST, path: "/api/v1/auth/logout", body: nil),
        Route(method: .POST, path: "/api/v1/auth/logout-all", body: nil),
        Route(method: .POST, path: "/api/v1/auth/change-password", body: ["current_password": "x", "new_password": "y"]),
        Route(method: .POST, path: "/api/v1/auth/mfa/confirm", body: ["code": "123456"]),
        ] + lendingRoutes(UUID().uuidString)
    }

    /// The lending routes that need a caller, with bodies valid in shape.
    static func lendingRoutes(_ id: String) -> [Route] {
        [
            Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]),
            Route(method: .PATCH, path: "/api/v1/products/\(id)", body: ["name": "x"]),
            Route(method: .GET, path: "/api/v1/me/profile", body: nil),
            Route(method: .PUT, path: "/api/v1/me/financial", body: ["monthly_income": "1.00", "monthly_expenses": "0", "existing_monthly_debt": "0"]),
            Route(method: .GET, path: "/api/v1/customers", body: nil),
            Route(method: .GET, path: "/api/v1/customers/\(id)", body: nil),
            Route(method: .POST, path: "/api/v1/applications", body: ["product_id": id, "amount": "1.00", "term_months": 1, "purpose": "x"]),
            Route(method: .GET, path: "/api/v1/applications", body: nil),
            Route(method: .GET, path: "/api/v1/applications/\(id)", body: nil),
            Route(method: .POST, path: "/api/v1/applications/\(id)/withdraw", body: nil),
            Route(method: .POST, path: "/api/v1/applications/\(id)/disburse", body: [:]),
            Route(method: .GET, path: "/api/v1/applications/\(id)/documents/\(id)", body: nil),
            Route(method: .GET, path: "/api/v1/loans", body: nil),
            Route(method: .GET, path: "/api/v1/loans/\(id)", body: nil),
            Route(method: .GET, path: "/api/v1/loans/\(id)/schedule", body: nil),
            Route(method: .POST, path: "/api/v1/loans/\(id)/payments", body: ["amount": "1.00", "reference": "x"]),
            Route(method: .GET, path: "/api/v1/loans/\(id)/payments", body: nil),
            Route(method: .GET, path: "/api/v1/loans/\(id)/pre-closure-quote", body: nil),
            Route(method: .POST, path: "/api/v1/loans/\(id)/pre-close", body: ["amount": "1.00", "reference": "x"]),
        ]
    }

    private func call(_ route: Route, token: String?) async throws -> API.Reply {
        let body = try route.body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        return try await api.send(route.method, route.path, body: body, token: token)
    }

    @Test func everyRoleGetsExactlyWhatTheContractAllows() async throws {
        let root = try await SuperAdmin.session.value.access
        var tokens: [String: String] = ["super_admin": root]
        tokens["client"] = try await accounts.login(try await accounts.activeClient()).access
        for role in ["analyst", "manager", "director", "admin"] {
            let email = "\(role)-\(UUID().uuidString.prefix(8).lowercased())@staff.example"
            let created = try await api.post(
                "/api/v1/users", ["email": email, "password": accounts.password, "full_name": role, "role": role], token: root)
            try #require(created.status == 201)
            tokens[role] = try await accounts.login(email).access
        }
        let target = try await api.post(
            "/api/v1/users",
            ["email": "target-\(UUID().uuidString.prefix(8).lowercased())@staff.example", "password": accounts.password,
             "full_name": "Target", "role": "analyst"], token: root)
        let targetID = try #require(target["id"])

        let administrators: Set<String> = ["admin", "super_admin"]
        for (role, token) in tokens.sorted(by: { $0.key < $1.key }) {
            for route in Self.routes(target: targetID) {
                let expected: Set<Int> =
                    switch route.path {
                    case "/api/v1/auth/me": [200]
                    case "/api/v1/auth/mfa/setup": role == "client" ? [403] : [200, 409]
                    default: administrators.contains(role) ? [200, 201] : [403]
                    }
                let reply = try await call(route, token: token)
                #expect(expected.contains(reply.status), "\(role) → \(route): \(reply.status) \(reply.text)")
            }
        }
    }

    /// Who may use each lending route, judged by the status a caller of each role gets on ids
    /// that exist nowhere: a refused role gets 403; an allowed one gets past the role check
    /// (404 for the unknown id, 422 for the deliberately incomplete body).
    @Test func lendingRoutesCheckTheRole() async throws {
        let root = try await SuperAdmin.session.value.access
        let client = try await accounts.login(try await accounts.activeClient()).access
        let email = "analyst-\(UUID().uuidString.prefix(8).lowercased())@staff.example"
        try #require(try await api.post(
            "/api/v1/users", ["email": email, "password": accounts.password, "full_name": "A", "role": "analyst"], token: root).status == 201)
        let analyst = try await accounts.login(email).access
        let id = UUID().uuidString
        let expectations: [(String, Route, Set<Int>)] = [
            ("client", Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]), [403]),
            ("analyst", Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]), [403]),
            ("super_admin", Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]), [422]),
            ("client", Route(method: .GET, path: "/api/v1/customers", body: nil), [403]),
            ("analyst", Route(method: .GET, path: "/api/v1/customers", body: nil), [200]),
            ("analyst", Route(method: .GET, path: "/api/v1/me/profile", body: nil), [403]),
            ("analyst", Route(method: .POST, path: "/api/v1/applications", body: ["product_id": id, "amount": "1.00", "term_months": 1, "purpose": "x"]), [403]),
            ("client", Route(method: .POST, path: "/api/v1/applications/\(id)/disburse", body: [:]), [403]),
            ("analyst", Route(method: .POST, path: "/api/v1/applications/\(id)/disburse", body: [:]), [403]),
            ("super_admin", Route(method: .POST, path: "/api/v1/applications/\(id)/disburse", body: [:]), [404]),
            ("analyst", Route(method: .POST, path: "/api/v1/loans/\(id)/payments", body: ["amount": "1.00", "reference": "x"]), [403]),
            ("client", Route(method: .POST, path: "/api/v1/loans/\(id)/payments", body: ["amount": "1.00", "reference": "x"]), [404]),
            ("analyst", Route(method: .GET, path: "/api/v1/loans/\(id)", body: nil), [404]),
        ]
        let tokens = ["client": client, "analyst": analyst, "super_admin": root]
        for (role, route, expected) in expectations {
            let reply = try await call(route, token: tokens[role])
            #expect(expected.contains(reply.status), "\(role) → \(route): \(reply.status) \(reply.text)")
        }
    }

    @Test func everyBadTokenIsRefused() async throws {
        let revoked = try await accounts.login(try await accounts.activeClient()).access
        try #require(try await api.send(.POST, "/api/v1/auth/logout", token: revoked).status == 204)
        let client = try await accounts.login(try await accounts.activeClient()).access
        let badTokens: [(String, String?)] = [
            ("no token", nil),
            ("garbage", "not.a.token"),
            ("alg none", try Self.unsigned(from: client)),
            ("signed with another key", try await Self.sign(from: client, with: P256.Signing.PrivateKey().pemRepresentation, kid: nil)),
            ("expired", try await Self.sign(from: client, with: Self.stackKey(), kid: Self.currentKeyID(api), expired: true)),
            ("revoked", revoked),
        ]
        for route in Self.signedInRoutes {
            for (kind, token) in badTokens {
                let reply = try await call(route, token: token)
                #expect(reply.status == 401, "\(kind) → \(route): \(reply.status) \(reply.text)")
            }
        }
    }

    // MARK: Forged tokens

    private static func claims(of token: String) throws -> AccessTokenClaims {
        let payload = try #require(token.split(separator: ".").dropFirst().first)
        var base64 = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try JSONDecoder().decode(AccessTokenClaims.self, from: try #require(Data(base64Encoded: base64)))
    }

    /// The same claims with `alg: none` and no signature.
    private static func unsigned(from token: String) throws -> String {
        let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let parts = token.split(separator: ".")
        return "\(header).\(parts[1])."
    }

    private static func sign(from token: String, with pem: String, kid: String?, expired: Bool = false) async throws -> String {
        var claims = try claims(of: token)
        if expired {
            claims.iat = IssuedAtClaim(value: Date().addingTimeInterval(-3600))
            claims.exp = ExpirationClaim(value: Date().addingTimeInterval(-1800))
        }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: pem), kid: kid.map { JWKIdentifier(string: $0) })
        return try await keys.sign(claims, kid: kid.map { JWKIdentifier(string: $0) })
    }

    private static func stackKey() throws -> String {
        try String(contentsOfFile: TestEnvironment.require("AUTH_JWT_PRIVATE_KEY_FILE"), encoding: .utf8)
    }

    private static func currentKeyID(_ api: API) async throws -> String {
        let keys = try #require(try await api.get("/.well-known/jwks.json").json["keys"] as? [[String: Any]])
        return try #require(keys.first?["kid"] as? String)
    }
}
