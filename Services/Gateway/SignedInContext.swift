import Contracts
import Hummingbird
import NIOCore
import ServiceKit

/// What the services hear about a request: who sent it (nil when nobody signed in), its id, and
/// where it came from. Every route's context has it, signed in or not.
protocol CallerContext: RequestContext {
    var principal: Principal? { get }
    var requestID: String { get }
    var clientIP: String { get }
}

extension GatewayContext: CallerContext {}

/// Whom a group of signed-in routes lets in, beyond a live token.
protocol SignInRule: Sendable {
    static func admit(_ claims: AccessTokenClaims) throws
}

/// Every route but those that set MFA up: a staff member who must set up MFA first is refused
/// everything else until they have.
enum MFAReady: SignInRule {
    static func admit(_ claims: AccessTokenClaims) throws {
        if claims.mfaSetupRequired == true { throw Problem.mfaSetupRequired }
    }
}

/// The routes a staff member needs to set MFA up (and to read themselves or sign out meanwhile).
enum MFASetupAllowed: SignInRule {
    static func admit(_ claims: AccessTokenClaims) throws {}
}

/// The context of the routes that need a signed-in caller. `AdmissionMiddleware` authenticates
/// every request of the API (the token's signature and expiry, and its session, live); entering a
/// group of this context turns its verdict into the caller, or refuses the request (`401`, or
/// `503` while sessions cannot be checked) before any handler runs.
struct SignedInContext<Rule: SignInRule>: ChildRequestContext, CallerContext {
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let clientIP: String
    /// The signed-in caller.
    let caller: Principal
    /// The client's connection, for requests the gateway makes on the client's behalf.
    let channel: any Channel

    init(context: GatewayContext) throws {
        self.caller = try context.signedIn(Rule.self)
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.clientIP = context.clientIP
        self.channel = context.channel
    }

    var principal: Principal? { caller }
    var maxUploadSize: Int { GatewayContext.maximumUploadSize }
}

typealias SignedIn = SignedInContext<MFAReady>
typealias SignedInForMFASetup = SignedInContext<MFASetupAllowed>
