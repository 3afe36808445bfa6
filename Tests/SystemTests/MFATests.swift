import Foundation
import HummingbirdOTP
import TestSupport
import Testing

/// Staff TOTP: setup, confirm, and `totp` at sign-in.
@Suite struct MFATests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    @Test func aStaffMemberTurnsOnMFAAndThenNeedsACodeToSignIn() async throws {
        let root = try await SuperAdmin.session.value.access
        let email = "mfa-\(UUID().uuidString.prefix(8).lowercased())@staff.example"
        let created = try await api.post(
            "/api/v1/users", ["email": email, "password": accounts.password, "full_name": "M F A", "role": "manager"], token: root)
        try #require(created.status == 201)
        let session = try await accounts.login(email)
        if try TestEnvironment.require("AUTH_MFA_REQUIRED_ROLES").contains("manager") {
            // Until MFA is on, the token opens only the routes that turn it on.
            let blocked = try await api.get("/api/v1/users", token: session.access)
            #expect(blocked.status == 403)
            #expect(blocked.problemType?.hasSuffix("mfa-setup-required") == true)
            #expect(try await api.get("/api/v1/auth/me", token: session.access).status == 200)
        }

        let setup = try await api.post("/api/v1/auth/mfa/setup", ["password": accounts.password], token: session.access)
        #expect(setup.status == 200)
        let secret = try #require(setup["secret"])
        #expect(setup["otpauth_uri"]?.hasPrefix("otpauth://totp/") == true)
        let totp = TOTP(secret: String(decoding: try #require(Base32.decode(secret)), as: UTF8.self))
        let code = String(format: "%06d", totp.compute())

        let wrongConfirm = try await api.post(
            "/api/v1/auth/mfa/confirm", ["code": code == "000000" ? "111111" : "000000"], token: session.access)
        #expect(wrongConfirm.status == 422)
        #expect(try await api.post("/api/v1/auth/mfa/confirm", ["code": code], token: session.access).status == 204)
        #expect(try await api.get("/api/v1/auth/me", token: session.access).json["mfa_enabled"] as? Bool == true)

        let withoutCode = try await api.post("/api/v1/auth/login", ["email": email, "password": accounts.password])
        #expect(withoutCode.status == 401)
        #expect(withoutCode.problemType?.hasSuffix("mfa-required") == true)
        let wrongCode = try await api.post(
            "/api/v1/auth/login", ["email": email, "password": accounts.password, "totp": code == "000000" ? "111111" : "000000"])
        #expect(wrongCode.status == 401)
        let withCode = try await api.post(
            "/api/v1/auth/login", ["email": email, "password": accounts.password, "totp": String(format: "%06d", totp.compute())])
        #expect(withCode.status == 200)
        // With MFA on, the new token is a full one.
        let full = try #require(withCode["access_token"])
        #expect(try await api.get("/api/v1/users", token: full).problemType?.hasSuffix("mfa-setup-required") != true)
    }

    @Test func clientsHaveNoMFA() async throws {
        let token = try await accounts.login(try await accounts.activeClient()).access
        #expect(try await api.post("/api/v1/auth/mfa/setup", ["password": accounts.password], token: token).status == 403)
    }
}

/// RFC 4648 base32, for reading the secret an authenticator app would take.
enum Base32 {
    static func decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return bytes
    }
}
