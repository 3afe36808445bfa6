import Foundation
import Testing

@Suite struct SystemRouteTests {
    let api: API

    init() throws {
        api = try API()
    }

    @Test func theGatewayIsAliveAndReadyWithEveryDependencyChecked() async throws {
        #expect(try await api.get("/healthz").status == 200)
        let ready = try await api.get("/readyz")
        #expect(ready.status == 200)
        #expect(ready["status"] == "ready")
        let checks = try #require(ready.json["checks"] as? [String: String])
        for dependency in ["rabbitmq", "redis", "auth", "loans", "approvals", "notifications", "analytics"] {
            #expect(checks[dependency] == "up", "\(dependency)")
        }
    }

    @Test func everyServiceServesItsAdminPort() async throws {
        let urls = try #require(ProcessInfo.processInfo.environment["ADMIN_URLS"], "ADMIN_URLS is not set")
        let admins = urls.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        // Every service runs, some as several replicas (analysis-worker-2, gateway-2).
        let services = Set(admins.map { $0[0].replacing(/-[0-9]+$/, with: "") })
        #expect(services == ["gateway", "auth", "loans", "approvals", "analysis-worker", "notifications", "analytics"])
        for admin in admins {
            let (name, base) = (admin[0], admin[1])
            let client = API(base: base)
            #expect(try await client.get("/healthz").status == 200, "\(name)")
            #expect(try await client.get("/readyz").status == 200, "\(name)")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == 200, "\(name)")
            #expect(metrics.text.contains("amqp_reconnects_total") || metrics.text.contains("# TYPE"), "\(name)")
        }
    }

    /// The routes the gateway serves so far; each must be in the OpenAPI document.
    static let routes: [(method: String, path: String)] = [
        ("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/verify-otp"), ("post", "/api/v1/auth/resend-otp"),
        ("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/auth/logout"), ("post", "/api/v1/auth/logout-all"), ("post", "/api/v1/auth/change-password"),
        ("post", "/api/v1/auth/mfa/setup"), ("post", "/api/v1/auth/mfa/confirm"), ("post", "/api/v1/auth/accept-invite"),
        ("post", "/api/v1/auth/verify-phone"), ("post", "/api/v1/auth/resend-phone-code"),
        ("post", "/api/v1/customers"), ("patch", "/api/v1/customers/{id}"),
        ("post", "/api/v1/applications/{id}/decisions"), ("get", "/api/v1/approvals/tasks"),
        ("post", "/api/v1/approvals/tasks/{id}/reassign"), ("get", "/api/v1/approvals/policy"), ("put", "/api/v1/approvals/policy"),
        ("post", "/api/v1/tickets"), ("get", "/api/v1/tickets"), ("get", "/api/v1/tickets/{id}"), ("patch", "/api/v1/tickets/{id}"),
        ("post", "/api/v1/tickets/{id}/comments"), ("get", "/api/v1/notifications"), ("post", "/api/v1/notifications/{id}/read"),
        ("post", "/api/v1/notifications/read-all"), ("get", "/api/v1/notifications/preferences"),
        ("put", "/api/v1/notifications/preferences"),
        ("get", "/api/v1/ws"), ("get", "/api/v1/audit-log"), ("get", "/api/v1/audit-log/verify"),
        ("get", "/api/v1/analytics/traffic"), ("get", "/api/v1/reports/portfolio"), ("get", "/api/v1/analytics/approvals"),
        ("get", "/api/v1/analytics/tickets"), ("get", "/api/v1/public/stats"), ("post", "/api/v1/webhooks"), ("get", "/api/v1/webhooks"),
        ("delete", "/api/v1/webhooks/{id}"), ("get", "/api/v1/webhooks/{id}/deliveries"), ("get", "/api/v1/admin/dead-letters"),
        ("post", "/api/v1/admin/dead-letters/{queue}/replay"),
        ("get", "/api/v1/auth/me"), ("post", "/api/v1/users"), ("get", "/api/v1/users"), ("patch", "/api/v1/users/{id}"),
        ("post", "/api/v1/calculators/emi"), ("post", "/api/v1/eligibility/check"), ("get", "/api/v1/products"),
        ("post", "/api/v1/products"), ("get", "/api/v1/products/{id}"), ("patch", "/api/v1/products/{id}"),
        ("get", "/api/v1/me/profile"), ("put", "/api/v1/me/profile"), ("get", "/api/v1/me/financial"),
        ("put", "/api/v1/me/financial"), ("get", "/api/v1/me/employment"), ("put", "/api/v1/me/employment"),
        ("get", "/api/v1/customers"), ("get", "/api/v1/customers/{id}"),
        ("post", "/api/v1/applications"), ("get", "/api/v1/applications"), ("get", "/api/v1/applications/{id}"),
        ("post", "/api/v1/applications/{id}/waivers"), ("get", "/api/v1/payments"), ("get", "/api/v1/payments/{id}"),
        ("get", "/api/v1/users/{id}"), ("get", "/api/v1/sync/changes"), ("post", "/api/v1/sync/batch"), ("get", "/api/v1/sync/summary"),
        ("post", "/api/v1/admin/broadcast"), ("get", "/api/v1/me/documents"), ("post", "/api/v1/me/documents"),
        ("get", "/api/v1/me/documents/{id}"), ("delete", "/api/v1/me/documents/{id}"), ("get", "/api/v1/customers/{id}/documents"),
        ("get", "/api/v1/customers/{id}/documents/{doc_id}"),
        ("post", "/api/v1/applications/{id}/withdraw"), ("post", "/api/v1/applications/{id}/documents"),
        ("get", "/api/v1/applications/{id}/documents/{doc_id}"), ("post", "/api/v1/applications/{id}/disburse"),
        ("get", "/api/v1/loans"), ("get", "/api/v1/loans/{id}"), ("get", "/api/v1/loans/{id}/schedule"),
        ("post", "/api/v1/loans/{id}/payments"), ("get", "/api/v1/loans/{id}/payments"),
        ("get", "/api/v1/loans/{id}/pre-closure-quote"), ("post", "/api/v1/loans/{id}/pre-close"),
        ("get", "/.well-known/jwks.json"),
        ("get", "/healthz"), ("get", "/readyz"), ("get", "/api/v1/openapi.json"),
    ]

    @Test func theOpenAPIDocumentDescribesEveryRoute() async throws {
        let reply = try await api.get("/api/v1/openapi.json")
        #expect(reply.status == 200)
        #expect(reply["openapi"]?.hasPrefix("3.1") == true)
        let paths = try #require(reply.json["paths"] as? [String: [String: Any]])
        for route in Self.routes {
            #expect(paths[route.path]?[route.method] != nil, "\(route.method) \(route.path) is not documented")
        }
        // And nothing documented is missing from the gateway.
        let documented = paths.flatMap { path, operations in operations.keys.map { ($0, path) } }
        for (method, path) in documented {
            #expect(Self.routes.contains { $0.method == method && $0.path == path }, "\(method) \(path) is documented but not tested")
        }
    }
}
