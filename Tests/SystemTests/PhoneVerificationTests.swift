import Foundation
import TestSupport
import Testing

/// A phone proves itself with a code texted to it: when it is registered and when it changes.
@Suite struct PhoneVerificationTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    /// A number no other test uses.
    private static func newPhone() -> String {
        "+4477" + String(format: "%08d", Int.random(in: 0..<100_000_000))
    }

    /// A verified client who registered with `phone`, signed in.
    private func client(phone: String?) async throws -> String {
        let email = "phone-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        var body: [String: Any] = ["email": email, "password": accounts.password, "full_name": "Ada Phone"]
        body["phone"] = phone
        try #require(try await api.post("/api/v1/auth/register", body).status == 201)
        try #require(
            try await api.post("/api/v1/auth/verify-otp", ["email": email, "code": try await Mail.code(sentTo: email)]).status == 200)
        return try await accounts.login(email).access
    }

    @Test func aPhoneGivenAtSignUpIsVerifiedWithTheTextedCode() async throws {
        let phone = Self.newPhone()
        let token = try await client(phone: phone)
        let code = try await SMS.code(sentTo: phone)
        let me = try await api.get("/api/v1/auth/me", token: token)
        #expect(me["phone"] == phone)
        #expect(me.json["phone_verified"] as? Bool == false)

        #expect(try await api.post("/api/v1/auth/verify-phone", ["code": "12ab"], token: token).status == 422)
        let wrong = code == "000000" ? "111111" : "000000"
        #expect(try await api.post("/api/v1/auth/verify-phone", ["code": wrong], token: token).status == 400)
        let verified = try await api.post("/api/v1/auth/verify-phone", ["code": code], token: token)
        #expect(verified.status == 200, "\(verified.text)")
        #expect(verified.json["phone_verified"] as? Bool == true)
        #expect(try await api.get("/api/v1/auth/me", token: token).json["phone_verified"] as? Bool == true)
        // A code works once; a verified phone needs no new one.
        #expect(try await api.post("/api/v1/auth/verify-phone", ["code": code], token: token).status == 400)
        #expect(try await api.post("/api/v1/auth/resend-phone-code", [:], token: token).status == 409)
    }

    @Test func fiveWrongCodesSpendTheCodeAndAResendWaitsAMinute() async throws {
        let phone = Self.newPhone()
        let token = try await client(phone: phone)
        let code = try await SMS.code(sentTo: phone)
        let wrong = code == "000000" ? "111111" : "000000"
        for _ in 1...5 {
            #expect(try await api.post("/api/v1/auth/verify-phone", ["code": wrong], token: token).status == 400)
        }
        #expect(try await api.post("/api/v1/auth/verify-phone", ["code": code], token: token).status == 400, "the code is spent")
        let early = try await api.post("/api/v1/auth/resend-phone-code", [:], token: token)
        #expect(early.status == 429)
        let wait = Int(early.headers["Retry-After"].first ?? "") ?? 0
        #expect((1...60).contains(wait), "Retry-After \(wait)")
        #expect(try SMS.count(to: phone) == 1)
    }

    @Test func aChangedProfilePhoneIsTextedAndUnverifiedUntilItsCodeComesBack() async throws {
        let token = try await client(phone: nil)
        #expect(try await api.post("/api/v1/auth/resend-phone-code", [:], token: token).status == 409)
        let phone = Self.newPhone()
        var profile = CustomerTests.profile
        profile["phone"] = phone
        let body = String(decoding: try JSONSerialization.data(withJSONObject: profile), as: UTF8.self)
        #expect(try await api.send(.PUT, "/api/v1/me/profile", body: body, token: token).status == 200)
        let code = try await SMS.code(sentTo: phone)
        var me: API.Reply?
        _ = await eventually(timeout: .seconds(10)) {
            me = try? await api.get("/api/v1/auth/me", token: token)
            return me?["phone"] == phone
        }
        #expect(me?["phone"] == phone, "the profile's phone became the account's")
        #expect(me?.json["phone_verified"] as? Bool == false)
        #expect(try await api.post("/api/v1/auth/verify-phone", ["code": code], token: token).json["phone_verified"] as? Bool == true)
        // Saving the same number again sends nothing.
        #expect(try await api.send(.PUT, "/api/v1/me/profile", body: body, token: token).status == 200)
        try await Task.sleep(for: .seconds(1))
        #expect(try SMS.count(to: phone) == 1)
        #expect(try await api.get("/api/v1/auth/me", token: token).json["phone_verified"] as? Bool == true)
    }
}
