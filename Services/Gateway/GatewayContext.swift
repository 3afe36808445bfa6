import Contracts
import Hummingbird
import NIOCore
import ServiceKit

/// Per-request state: the request id (echoed as `X-Request-Id` and carried on every RPC), the
/// client's address, and, once the route authenticated the caller, their verified token.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var requestID = ""
    /// The peer's address; `ClientAddressMiddleware` replaces it with the forwarded one when the
    /// peer is a trusted proxy.
    var clientIP: String
    /// What `AdmissionMiddleware` made of the request's access token, if it sent one.
    var authentication: Result<AccessTokenClaims, Problem>?
    /// The verified caller, once a route signed them in.
    var claims: AccessTokenClaims?
    /// The caller's role once a route signed them in, for the traffic figures.
    let callerRole = CallerRole()
    /// The client's connection, for requests the gateway makes on the client's behalf (a sync batch).
    let channel: any Channel

    init(source: Source) {
        coreContext = .init(source: source)
        channel = source.channel
        clientIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    var principal: Principal? { claims?.principal }

    /// The caller's live token, or the 401 (or 503) that the request's token deserves.
    func verifiedToken() throws -> AccessTokenClaims {
        guard let authentication else { throw Authenticator.missing }
        return try authentication.get()
    }

    /// Bodies are collected explicitly (`RequestBody`) with the gateway's own limit.
    var maxUploadSize: Int { 16 * 1024 * 1024 }
}
