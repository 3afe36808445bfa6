import Contracts
import Hummingbird

/// `/api/v1/auth/...`: sign-up, sign-in, tokens, sign-out, password.
struct AuthRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }
    private var body: RequestBody { support.body }

    init(support: RouteSupport) {
        self.support = support
    }

    /// The OAuth2 password grant's form (RFC 6749 §4.3).
    private struct PasswordGrant: Decodable {
        let username: String
        let password: String
    }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("auth/register") { request, context in
            try await support.create(AuthRPC.Register.self, request, context)
        }
        api.post("auth/verify-otp") { request, context in
            let verify = try await body.json(AuthRPC.VerifyOTP.Request.self, from: request)
            try await support.signInAttempt(email: verify.email, context)
            return try await forwarder.forward(AuthRPC.VerifyOTP.self, verify, context: context)
        }
        api.post("auth/resend-otp") { request, context in
            let resend = try await body.json(AuthRPC.ResendOTP.Request.self, from: request)
            try await support.signInAttempt(email: resend.email, context)
            return try await forwarder.forward(AuthRPC.ResendOTP.self, resend, context: context)
        }
        api.post("auth/accept-invite") { request, context in
            let accept = try await body.json(AuthRPC.AcceptInvite.Request.self, from: request)
            try await support.signInAttempt(email: accept.email, context)
            return try await forwarder.forward(AuthRPC.AcceptInvite.self, accept, context: context)
        }
        api.post("auth/login") { request, context in
            let login = try await body.json(AuthRPC.Login.Request.self, from: request)
            try await support.signInAttempt(email: login.email, context)
            return try await forwarder.forward(AuthRPC.Login.self, login, context: context)
        }
        api.post("auth/token") { request, context in
            let grant = try await body.form(PasswordGrant.self, from: request)
            try await support.signInAttempt(email: grant.username, context)
            return try await forwarder.forward(
                AuthRPC.Login.self, AuthRPC.Login.Request(email: grant.username, password: grant.password), context: context)
        }
        api.post("auth/refresh") { request, context in
            try await forwarder.forward(AuthRPC.Refresh.self, body.json(AuthRPC.Refresh.Request.self, from: request), context: context)
        }
        api.post("auth/logout") { request, context in
            let context = try await support.signedIn(request, context, allowingMFASetup: true)
            return try await forwarder.forward(AuthRPC.Logout.self, Empty(), context: context)
        }
        api.post("auth/logout-all") { request, context in
            let context = try await support.signedIn(request, context, allowingMFASetup: true)
            return try await forwarder.forward(AuthRPC.LogoutAll.self, Empty(), context: context)
        }
        api.get("auth/me") { request, context in
            let context = try await support.signedIn(request, context, allowingMFASetup: true)
            return try await forwarder.forward(AuthRPC.Me.self, Empty(), context: context)
        }
        api.post("auth/verify-phone") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(
                AuthRPC.VerifyPhone.self, body.json(AuthRPC.VerifyPhone.Request.self, from: request), context: context)
        }
        api.post("auth/resend-phone-code") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(AuthRPC.ResendPhoneCode.self, Empty(), context: context)
        }
        api.post("auth/mfa/setup") { request, context in
            let context = try await support.signedIn(request, context, allowingMFASetup: true)
            let setup = try await body.json(AuthRPC.MFASetup.Request.self, from: request)
            return try await forwarder.forward(AuthRPC.MFASetup.self, setup, context: context)
        }
        api.post("auth/mfa/confirm") { request, context in
            let context = try await support.signedIn(request, context, allowingMFASetup: true)
            let confirm = try await body.json(AuthRPC.MFAConfirm.Request.self, from: request)
            return try await forwarder.forward(AuthRPC.MFAConfirm.self, confirm, context: context)
        }
        api.post("auth/change-password") { request, context in
            let context = try await support.signedIn(request, context, allowingMFASetup: true)
            let change = try await body.json(AuthRPC.ChangePassword.Request.self, from: request)
            return try await forwarder.forward(AuthRPC.ChangePassword.self, change, context: context)
        }
    }
}
