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
    var claims: AccessTokenClaims?
    /// The caller's role once a route signed them in, for the traffic figures.
    let callerRole = CallerRole()

    init(source: Source) {
        coreContext = .init(source: source)
        clientIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    var principal: Principal? { claims?.principal }

    /// Bodies are collected explicitly (`RequestBody`) with the gateway's own limit.
    var maxUploadSize: Int { 16 * 1024 * 1024 }
}
