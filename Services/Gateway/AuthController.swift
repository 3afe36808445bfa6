import Contracts
import Hummingbird

/// `/api/v1/auth/...`: sign-up, sign-in, tokens, sign-out, password.
struct AuthController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }
    private var body: RequestBody { support.body }

    /// The OAuth2 password grant's form (RFC 6749 §4.3).
    private struct PasswordGrant: Decodable {
        let username: String
        let password: String
    }

    /// Signing up and in. Attempts spend the address's and the account's sign-in budgets.
    var publicRoutes: RouteCollection<GatewayContext> {
        let routes = RouteCollection(context: GatewayContext.self)
        routes.post("auth/register", use: register)
        routes.post("auth/verify-otp", use: verifyCode)
        routes.post("auth/resend-otp", use: resendCode)
        routes.post("auth/accept-invite", use: acceptInvite)
        routes.post("auth/login", use: login)
        routes.post("auth/token", use: token)
        routes.post("auth/refresh", use: refresh)
        return routes
    }

    /// What a staff member who must set MFA up first may still do.
    var mfaSetupRoutes: RouteCollection<SignedInForMFASetup> {
        let routes = RouteCollection(context: SignedInForMFASetup.self)
        routes.post("auth/logout", use: logout)
        routes.post("auth/logout-all", use: logoutEverywhere)
        routes.get("auth/me", use: me)
        routes.post("auth/mfa/setup", use: setUpMFA)
        routes.post("auth/mfa/confirm", use: confirmMFA)
        routes.post("auth/change-password", use: changePassword)
        return routes
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("auth/verify-phone", use: verifyPhone)
        routes.post("auth/resend-phone-code", use: resendPhoneCode)
        return routes
    }

    @Sendable func register(_ request: Request, context: GatewayContext) async throws -> Response {
        try await support.create(AuthRPC.Register.self, request, context)
    }

    @Sendable func verifyCode(_ request: Request, context: GatewayContext) async throws -> Response {
        let verify = try await body.json(AuthRPC.VerifyOTP.Request.self, from: request)
        try await support.signInAttempt(email: verify.email, context)
        return try await forwarder.forward(AuthRPC.VerifyOTP.self, verify, context: context)
    }

    @Sendable func resendCode(_ request: Request, context: GatewayContext) async throws -> Response {
        let resend = try await body.json(AuthRPC.ResendOTP.Request.self, from: request)
        try await support.signInAttempt(email: resend.email, context)
        return try await forwarder.forward(AuthRPC.ResendOTP.self, resend, context: context)
    }

    @Sendable func acceptInvite(_ request: Request, context: GatewayContext) async throws -> Response {
        let accept = try await body.json(AuthRPC.AcceptInvite.Request.self, from: request)
        try await support.signInAttempt(email: accept.email, context)
        return try await forwarder.forward(AuthRPC.AcceptInvite.self, accept, context: context)
    }

    @Sendable func login(_ request: Request, context: GatewayContext) async throws -> Response {
        let login = try await body.json(AuthRPC.Login.Request.self, from: request)
        try await support.signInAttempt(email: login.email, context)
        return try await forwarder.forward(AuthRPC.Login.self, login, context: context)
    }

    @Sendable func token(_ request: Request, context: GatewayContext) async throws -> Response {
        let grant = try await body.form(PasswordGrant.self, from: request)
        try await support.signInAttempt(email: grant.username, context)
        return try await forwarder.forward(
            AuthRPC.Login.self, AuthRPC.Login.Request(email: grant.username, password: grant.password), context: context)
    }

    @Sendable func refresh(_ request: Request, context: GatewayContext) async throws -> Response {
        try await forwarder.forward(AuthRPC.Refresh.self, body.json(AuthRPC.Refresh.Request.self, from: request), context: context)
    }

    @Sendable func logout(_ request: Request, context: SignedInForMFASetup) async throws -> Response {
        try await forwarder.forward(AuthRPC.Logout.self, Empty(), context: context)
    }

    @Sendable func logoutEverywhere(_ request: Request, context: SignedInForMFASetup) async throws -> Response {
        try await forwarder.forward(AuthRPC.LogoutAll.self, Empty(), context: context)
    }

    @Sendable func me(_ request: Request, context: SignedInForMFASetup) async throws -> Response {
        try await forwarder.forward(AuthRPC.Me.self, Empty(), context: context)
    }

    @Sendable func setUpMFA(_ request: Request, context: SignedInForMFASetup) async throws -> Response {
        let setup = try await body.json(AuthRPC.MFASetup.Request.self, from: request)
        return try await forwarder.forward(AuthRPC.MFASetup.self, setup, context: context)
    }

    @Sendable func confirmMFA(_ request: Request, context: SignedInForMFASetup) async throws -> Response {
        let confirm = try await body.json(AuthRPC.MFAConfirm.Request.self, from: request)
        return try await forwarder.forward(AuthRPC.MFAConfirm.self, confirm, context: context)
    }

    @Sendable func changePassword(_ request: Request, context: SignedInForMFASetup) async throws -> Response {
        let change = try await body.json(AuthRPC.ChangePassword.Request.self, from: request)
        return try await forwarder.forward(AuthRPC.ChangePassword.self, change, context: context)
    }

    @Sendable func verifyPhone(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(AuthRPC.VerifyPhone.self, body.json(AuthRPC.VerifyPhone.Request.self, from: request), context: context)
    }

    @Sendable func resendPhoneCode(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(AuthRPC.ResendPhoneCode.self, Empty(), context: context)
    }
}
