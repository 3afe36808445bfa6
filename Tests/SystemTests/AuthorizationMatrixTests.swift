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
            Route(
                method: .POST, path: "/api/v1/users",
                body: [
                    "email": "matrix-\(UUID().uuidString.prefix(8).lowercased())@staff.example", "password": "a sound password",
                    "full_name": "Matrix", "role": "analyst",
                ]),
            Route(method: .PATCH, path: "/api/v1/users/\(target)", body: ["status": "active"]),
            Route(method: .POST, path: "/api/v1/auth/mfa/setup", body: ["password": "a sound password"]),
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
            Route(
                method: .PUT, path: "/api/v1/me/financial",
                body: ["monthly_income": "1.00", "monthly_expenses": "0", "existing_monthly_debt": "0"]),
            Route(method: .GET, path: "/api/v1/customers", body: nil),
            Route(method: .GET, path: "/api/v1/customers/\(id)", body: nil),
            Route(
                method: .POST, path: "/api/v1/applications", body: ["product_id": id, "amount": "1.00", "term_months": 1, "purpose": "x"]),
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
            [
                "email": "target-\(UUID().uuidString.prefix(8).lowercased())@staff.example", "password": accounts.password,
                "full_name": "Target", "role": "analyst",
            ], token: root)
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
                // MFA setup asks for the caller's own password (the bootstrap super admin has another).
                let asked =
                    route.path == "/api/v1/auth/mfa/setup" && role == "super_admin"
                    ? Route(
                        method: .POST, path: route.path, body: ["password": try TestEnvironment.require("BOOTSTRAP_SUPER_ADMIN_PASSWORD")])
                    : route
                let reply = try await call(asked, token: token)
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
        try #require(
            try await api.post(
                "/api/v1/users", ["email": email, "password": accounts.password, "full_name": "A", "role": "analyst"], token: root
            ).status == 201)
        let analyst = try await accounts.login(email).access
        let id = UUID().uuidString
        let expectations: [(String, Route, Set<Int>)] = [
            ("client", Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]), [403]),
            ("analyst", Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]), [403]),
            ("super_admin", Route(method: .POST, path: "/api/v1/products", body: ["name": "x"]), [422]),
            ("client", Route(method: .GET, path: "/api/v1/customers", body: nil), [403]),
            ("analyst", Route(method: .GET, path: "/api/v1/customers", body: nil), [200]),
            ("analyst", Route(method: .GET, path: "/api/v1/me/profile", body: nil), [403]),
            (
                "analyst",
                Route(
                    method: .POST, path: "/api/v1/applications",
                    body: ["product_id": id, "amount": "1.00", "term_months": 1, "purpose": "x"]), [403]
            ),
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
            ("alg none", try TokenForge.unsigned(from: client)),
            (
                "signed with another key",
                try await TokenForge.sign(from: client, with: P256.Signing.PrivateKey().pemRepresentation, kid: nil)
            ),
            ("expired", try await TokenForge.resign(client, expiringIn: -1800, api: api)),
            ("revoked", revoked),
        ]
        for route in Self.signedInRoutes {
            for (kind, token) in badTokens {
                let reply = try await call(route, token: token)
                #expect(reply.status == 401, "\(kind) → \(route): \(reply.status) \(reply.text)")
            }
        }
    }
}
