import Contracts
import Hummingbird
import NIOCore
import ServiceKit

/// Per-request state: the request id (echoed as `X-Request-Id` and carried on every RPC), the
/// client's address, and what `AdmissionMiddleware` made of the caller's token. Routes that need
/// a caller run in a `SignedInContext` made from it.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var requestID = ""
    /// The peer's address; `ClientAddressMiddleware` replaces it with the forwarded one when the
    /// peer is a trusted proxy.
    var clientIP: String
    /// What `AdmissionMiddleware` made of the request's access token, if it sent one.
    var authentication: Result<AccessTokenClaims, Problem>?
    /// The caller of a public route that shows a signed-in caller more (`signingInIfSent`).
    var caller: Principal?
    /// The caller's role once a route signed them in, for the traffic figures.
    let callerRole = CallerRole()
    /// The client's connection, for requests the gateway makes on the client's behalf (a sync batch).
    let channel: any Channel

    init(source: Source) {
        coreContext = .init(source: source)
        channel = source.channel
        clientIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    var principal: Principal? { caller }

    /// The caller's live token, or the 401 (or 503) that the request's token deserves.
    func verifiedToken() throws -> AccessTokenClaims {
        guard let authentication else { throw Authenticator.missing }
        return try authentication.get()
    }

    /// The caller of the request's live token whom `rule` lets in, or the problem the request
    /// deserves; their role goes into the traffic figures.
    func signedIn<Rule: SignInRule>(_ rule: Rule.Type) throws -> Principal {
        let claims = try verifiedToken()
        try Rule.admit(claims)
        guard let caller = claims.principal else { throw Authenticator.invalid }
        callerRole.set(claims.role.rawValue)
        return caller
    }

    /// The caller of a public route: anonymous without a token; a token sent is checked as on
    /// any route (a bad one is refused, not ignored).
    func signingInIfSent(_ request: Request) throws -> GatewayContext {
        guard authentication != nil || request.headers[.authorization] != nil else { return self }
        var context = self
        context.caller = try signedIn(MFAReady.self)
        return context
    }

    /// Bodies are collected explicitly (`RequestBody`) with the gateway's own limit.
    static let maximumUploadSize = 16 * 1024 * 1024
    var maxUploadSize: Int { Self.maximumUploadSize }
}
