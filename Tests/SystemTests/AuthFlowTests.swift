import Foundation
import TestSupport
import Testing

/// The first slice end to end: through the gateway, the bus, auth, PostgreSQL, Redis and the
/// mail folder written by notifications.
@Suite struct AuthFlowTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    @Test func signUpVerifySignInAndSignOut() async throws {
        let email = try await accounts.register()
        let unverified = try await api.post("/api/v1/auth/login", ["email": email, "password": accounts.password])
        #expect(unverified.status == 403)
        #expect(unverified.problemType?.hasSuffix("not-verified") == true)

        let code = try await Mail.code(sentTo: email)
        let verified = try await api.post("/api/v1/auth/verify-otp", ["email": email, "code": code])
        #expect(verified.status == 200)
        #expect(verified["status"] == "active")

        let login = try await api.post("/api/v1/auth/login", ["email": email.uppercased(), "password": accounts.password])
        #expect(login.status == 200)
        #expect(login["token_type"] == "bearer")
        #expect(login.json["expires_in"] as? Int == 900)
        #expect(login["role"] == "client")
        let token = try #require(login["access_token"])

        let me = try await api.get("/api/v1/auth/me", token: token)
        #expect(me.status == 200)
        #expect(me["email"] == email)
        #expect(me["status"] == "active")
        #expect(me["role"] == "client")
        #expect(me.json["mfa_enabled"] as? Bool == false)

        let logout = try await api.send(.POST, "/api/v1/auth/logout", token: token)
        #expect(logout.status == 204)
        let afterLogout = try await api.get("/api/v1/auth/me", token: token)
        #expect(afterLogout.status == 401)
        #expect(afterLogout.headers["Content-Type"].first == "application/problem+json")
    }

    @Test func refreshRotatesAndReusingASpentTokenEndsTheSession() async throws {
        let email = try await accounts.activeClient()
        let first = try await accounts.login(email)

        let rotated = try await api.post("/api/v1/auth/refresh", ["refresh_token": first.refresh])
        #expect(rotated.status == 200)
        let second = (access: try #require(rotated["access_token"]), refresh: try #require(rotated["refresh_token"]))
        #expect(second.refresh != first.refresh)
        #expect(try await api.get("/api/v1/auth/me", token: second.access).status == 200)

        let replayed = try await api.post("/api/v1/auth/refresh", ["refresh_token": first.refresh])
        #expect(replayed.status == 401)
        #expect(replayed.problemType?.hasSuffix("refresh-token-reused") == true)
        // The whole session is gone: the newest refresh token and its access token die with it.
        #expect(try await api.post("/api/v1/auth/refresh", ["refresh_token": second.refresh]).status == 401)
        #expect(try await api.get("/api/v1/auth/me", token: second.access).status == 401)
        // Other sessions of the same user are untouched.
        let other = try await accounts.login(email)
        #expect(try await api.get("/api/v1/auth/me", token: other.access).status == 200)
    }

    @Test func theOAuthPasswordGrantSignsIn() async throws {
        let email = try await accounts.activeClient()
        let form = "username=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=a+sound+password"
        let reply = try await api.send(.POST, "/api/v1/auth/token", body: form, contentType: "application/x-www-form-urlencoded")
        #expect(reply.status == 200)
        #expect(reply["token_type"] == "bearer")
    }

    @Test func theBootstrapSuperAdminCanSignIn() async throws {
        let me = try await api.get("/api/v1/auth/me", token: SuperAdmin.session.value.access)
        #expect(me["role"] == "super_admin")
        #expect(me["email"] == (try TestEnvironment.require("BOOTSTRAP_SUPER_ADMIN_EMAIL")))
    }

    @Test func logoutAllEndsEverySessionOfTheUser() async throws {
        let email = try await accounts.activeClient()
        let phone = try await accounts.login(email)
        let laptop = try await accounts.login(email)
        #expect(try await api.send(.POST, "/api/v1/auth/logout-all", token: laptop.access).status == 204)
        #expect(try await api.get("/api/v1/auth/me", token: phone.access).status == 401)
        #expect(try await api.get("/api/v1/auth/me", token: laptop.access).status == 401)
        #expect(try await api.post("/api/v1/auth/refresh", ["refresh_token": phone.refresh]).status == 401)
    }

    @Test func changingThePasswordEndsTheOtherSessionsOnly() async throws {
        let email = try await accounts.activeClient()
        let other = try await accounts.login(email)
        let current = try await accounts.login(email)
        let wrong = try await api.post(
            "/api/v1/auth/change-password", ["current_password": "not it at all", "new_password": "a brand new password"],
            token: current.access)
        #expect(wrong.status == 422)
        #expect(wrong.fieldErrors == ["current_password"])
        let short = try await api.post(
            "/api/v1/auth/change-password", ["current_password": accounts.password, "new_password": "short"], token: current.access)
        #expect(short.fieldErrors == ["new_password"])

        let changed = try await api.post(
            "/api/v1/auth/change-password", ["current_password": accounts.password, "new_password": "a brand new password"],
            token: current.access)
        #expect(changed.status == 204)
        #expect(try await api.get("/api/v1/auth/me", token: current.access).status == 200)
        #expect(try await api.get("/api/v1/auth/me", token: other.access).status == 401)
        #expect(try await api.post("/api/v1/auth/login", ["email": email, "password": accounts.password]).status == 401)
        #expect(try await api.post("/api/v1/auth/login", ["email": email, "password": "a brand new password"]).status == 200)
    }

    @Test func aWrongCodeIsRefusedAndANewOneCanBeAskedOnlyOnceAMinute() async throws {
        let email = try await accounts.register()
        let code = try await Mail.code(sentTo: email)
        let wrong = code == "000000" ? "111111" : "000000"
        let refused = try await api.post("/api/v1/auth/verify-otp", ["email": email, "code": wrong])
        #expect(refused.status == 400)

        let resend = try await api.post("/api/v1/auth/resend-otp", ["email": email])
        #expect(resend.status == 429)
        let retryAfter = try #require(resend.headers["Retry-After"].first.flatMap(Int.init))
        #expect((1...60).contains(retryAfter))

        let unknown = try await api.post("/api/v1/auth/resend-otp", ["email": "nobody-\(UUID())@test.example"])
        #expect(unknown.status == 202)

        // The right code still works after a wrong guess.
        #expect(try await api.post("/api/v1/auth/verify-otp", ["email": email, "code": code]).status == 200)
    }

    @Test func fiveFailedSignInsLockTheAccount() async throws {
        let email = try await accounts.activeClient()
        for _ in 0..<5 {
            let reply = try await api.post("/api/v1/auth/login", ["email": email, "password": "not the password"])
            #expect(reply.status == 401)
        }
        let locked = try await api.post("/api/v1/auth/login", ["email": email, "password": accounts.password])
        #expect(locked.status == 423)
        #expect(locked.headers["Retry-After"].first.flatMap(Int.init).map { $0 > 0 } == true)
    }

    @Test func aWrongPasswordAndAnUnknownEmailLookTheSame() async throws {
        let email = try await accounts.activeClient()
        let wrongPassword = try await api.post("/api/v1/auth/login", ["email": email, "password": "not the password"])
        let unknownEmail = try await api.post(
            "/api/v1/auth/login", ["email": "nobody-\(UUID())@test.example", "password": "whatever it is"])
        #expect(wrongPassword.status == 401)
        #expect(unknownEmail.status == 401)
        #expect(wrongPassword.json["detail"] as? String == unknownEmail.json["detail"] as? String)
    }

    @Test func tokensVerifyWithThePublishedKeys() async throws {
        let jwks = try await api.get("/.well-known/jwks.json")
        #expect(jwks.status == 200)
        let keys = try #require(jwks.json["keys"] as? [[String: Any]])
        let kids = Set(keys.compactMap { $0["kid"] as? String })
        let token = try await accounts.login(try await accounts.activeClient()).access
        let header = try #require(token.split(separator: ".").first)
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let decoded = try #require(Data(base64Encoded: base64))
        let fields = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        #expect(fields["alg"] as? String == "ES256")
        #expect(kids.contains(try #require(fields["kid"] as? String)))
    }
}
