import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Redis
import ServiceKit
import TestSupport
import Testing

@testable import Gateway

/// The API's routes as the gateway serves them (`APIRoutes`), called through
/// `app.test(.router)`: the services answered in memory, and the caller named by a header
/// instead of a token (authentication is middleware, so the tests swap it). Nothing here reaches
/// Redis: these routes spend no budget without an `Idempotency-Key` and no sign-in attempt.
struct RoutesUnderTest {
    let services = InMemoryServices()

    /// Runs `body` against the routes, with `client` as the test client.
    func test(_ body: @escaping @Sendable (_ client: any TestClientProtocol) async throws -> Void) async throws {
        let logger = Logger(label: "test.routes")
        let unreachable = try RedisClient(url: "redis://127.0.0.1:1", logger: logger)
        let support = RouteSupport(
            forwarder: Forwarder(services: services, timeout: .seconds(1)), body: Gateway.RequestBody(limit: 1 << 20),
            admission: Admission(redis: unreachable, sessions: SessionCheck(caller: services, logger: logger), logger: logger),
            limits: .init(perAddress: 1000, perUser: 1000, signInPerAddress: 1000, signInPerAccount: 1000),
            idempotency: Idempotency(redis: unreachable, pendingLifetime: .seconds(6)))
        let router = Router(context: GatewayContext.self)
        router.add(middleware: ProblemMiddleware())
        let api = router.group("api/v1").add(middleware: NamedCallerMiddleware())
        APIRoutes(support: support, blobs: try FolderBlobStore(path: NSTemporaryDirectory() + "routes-test-blobs")).add(to: api)
        try await Application(router: router, logger: logger).test(.router, body)
        try await unreachable.shutdown()
    }
}

/// Stands in for `AdmissionMiddleware`: `X-Test-Caller: <role> <user id> [mfa-setup]` is the
/// caller, as a verified live token would have made them.
struct NamedCallerMiddleware: RouterMiddleware {
    static let header = HTTPField.Name("X-Test-Caller")!

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let named = request.headers[Self.header]?.split(separator: " "), named.count >= 2,
            let role = Role(rawValue: String(named[0])), let id = UUID(uuidString: String(named[1]))
        {
            context.authentication = .success(
                AccessTokenClaims(
                    userID: id, role: role, sessionID: "test", tokenID: "test", issuedAt: Date(), lifetime: .seconds(900),
                    mfaSetupRequired: named.count > 2 && named[2] == "mfa-setup"))
        }
        return try await next(request, context)
    }
}

extension Principal {
    /// `fields` and the test header naming this caller.
    func testHeaders(_ fields: HTTPFields = [:]) -> HTTPFields {
        var fields = fields
        fields[NamedCallerMiddleware.header] = "\(role.rawValue) \(userID.uuidString)"
        return fields
    }
}

extension TestResponse {
    var json: JSONValue? { try? JSONValue(parsing: Array(buffer: body)) }
    var problemSlug: String? {
        guard case .string(let type)? = json?["type"] else { return nil }
        return type.split(separator: "/").last.map(String.init)
    }
}
