import Contracts
import Hummingbird

/// `/api/v1/auth/...`: sign-up, sign-in, tokens, sign-out.
struct AuthRoutes {
    let forwarder: Forwarder
    let body: RequestBody
    let authenticator: Authenticator

    /// The OAuth2 password grant's form (RFC 6749 §4.3).
    private struct PasswordGrant: Decodable {
        let username: String
        let password: String
    }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("auth/register") { request, context in
            try await forwarder.forward(AuthRPC.Register.self, body.json(AuthRPC.Register.Request.self, from: request), context: context)
        }
        api.post("auth/verify-otp") { request, context in
            try await forwarder.forward(AuthRPC.VerifyOTP.self, body.json(AuthRPC.VerifyOTP.Request.self, from: request), context: context)
        }
        api.post("auth/resend-otp") { request, context in
            try await forwarder.forward(AuthRPC.ResendOTP.self, body.json(AuthRPC.ResendOTP.Request.self, from: request), context: context)
        }
        api.post("auth/login") { request, context in
            try await forwarder.forward(AuthRPC.Login.self, body.json(AuthRPC.Login.Request.self, from: request), context: context)
        }
        api.post("auth/token") { request, context in
            let grant = try await body.form(PasswordGrant.self, from: request)
            return try await forwarder.forward(
                AuthRPC.Login.self, AuthRPC.Login.Request(email: grant.username, password: grant.password), context: context)
        }
        api.post("auth/refresh") { request, context in
            try await forwarder.forward(AuthRPC.Refresh.self, body.json(AuthRPC.Refresh.Request.self, from: request), context: context)
        }
        api.post("auth/logout") { request, context in
            var context = context
            let claims = try await authenticator.authenticate(request)
            context.claims = claims
            return try await forwarder.forward(
                AuthRPC.Logout.self, AuthRPC.Logout.Request(tokenID: claims.jti.value, tokenExpiresAt: claims.exp.value),
                context: context)
        }
        api.get("auth/me") { request, context in
            var context = context
            context.claims = try await authenticator.authenticate(request)
            return try await forwarder.forward(AuthRPC.Me.self, Empty(), context: context)
        }
    }
}
