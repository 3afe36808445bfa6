import Contracts
import HTTPTypes
import Hummingbird

/// Believes `X-Forwarded-For` only from trusted proxies, taking the nearest address they did not add.
struct ClientAddressMiddleware: RouterMiddleware {
    let trustedProxies: Set<String>

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if trustedProxies.contains(context.clientIP), let forwarded = request.headers[.xForwardedFor] {
            let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let client = hops.last(where: { !trustedProxies.contains($0) && !$0.isEmpty }) {
                context.clientIP = String(client.prefix(64))
            }
        }
        return try await next(request, context)
    }
}

/// Admits every `/api/v1` request in one Redis round trip: it spends from the client address's
/// budget and, when it carries an access token that verifies, from the user's, and checks that the
/// token is live. The outcome for the token waits in the context for a route that needs a caller
/// (`RouteSupport.signedIn`); public routes ignore it.
struct AdmissionMiddleware: RouterMiddleware {
    let authenticator: Authenticator
    let admission: Admission
    let limits: GatewaySettings.RateLimits

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let address = Admission.Budget(key: "ip:\(context.clientIP)", limit: limits.perAddress, what: "requests from your address")
        guard let token = Authenticator.bearerToken(request) else {
            try await admission.spend([address])
            return try await next(request, context)
        }
        switch await authenticator.verify(token) {
        case .success(let claims):
            let user = Admission.Budget(key: "user:\(claims.sub.value)", limit: limits.perUser, what: "requests")
            let problem = try await admission.admit([address, user], token: claims)
            context.authentication = problem.map { .failure($0) } ?? .success(claims)
        case .failure(let problem):
            try await admission.spend([address])
            context.authentication = .failure(problem)
        }
        return try await next(request, context)
    }
}

/// Headers that keep browsers from sniffing, framing or caching API answers. Pages of the web
/// front end get a policy that lets them load the gateway's own scripts and styles.
struct SecurityHeadersMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        // A script's own policy matters only when it runs as a worker: the app's service worker
        // must fetch the shell it caches, so it gets the pages' policy, not the API's `'none'`.
        let type = response.headers[.contentType] ?? ""
        let isPage = type.hasPrefix("text/html") || type.hasPrefix("text/javascript")
        response.headers[.contentSecurityPolicy] = isPage ? WebFrontEnd.pageSecurityPolicy : "default-src 'none'; frame-ancestors 'none'"
        response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// CORS for the origins in the allow-list only; preflights are answered here.
struct CORSAllowListMiddleware: RouterMiddleware {
    let allowedOrigins: Set<String>

    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        var response =
            if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
                Response(status: .noContent)
            } else {
                try await next(request, context)
            }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.accessControlExposeHeaders] =
            "X-Request-Id, traceparent, X-Total-Count, X-Page, X-Page-Size, ETag, Retry-After, Location"
        if request.method == .options {
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-Id"
            response.headers[.accessControlMaxAge] = "600"
        }
        return response
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let xTotalCount = Self("X-Total-Count")!
    static let xPage = Self("X-Page")!
    static let xPageSize = Self("X-Page-Size")!
}
