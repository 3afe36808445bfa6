import Contracts
import Hummingbird
import ServiceKit

/// Per-request state: the request id (echoed as `X-Request-Id` and carried on every RPC) and,
/// once the route authenticated the caller, their verified token.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var requestID = ""
    var claims: AccessTokenClaims?

    init(source: Source) {
        coreContext = .init(source: source)
    }

    var principal: Principal? { claims?.principal }

    /// Bodies are collected explicitly (`JSONBody`) with the gateway's own limit.
    var maxUploadSize: Int { 16 * 1024 * 1024 }
}
