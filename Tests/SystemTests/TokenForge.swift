import Contracts
import Foundation
import JWTKit
import ServiceKit
import TestSupport
import Testing

/// Access tokens made by the tests: forged (unsigned, signed with another key) to be refused, or
/// re-signed with the test stack's own key to control their expiry.
enum TokenForge {
    static func claims(of token: String) throws -> AccessTokenClaims {
        let payload = try #require(token.split(separator: ".").dropFirst().first)
        var base64 = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try JSONDecoder().decode(AccessTokenClaims.self, from: try #require(Data(base64Encoded: base64)))
    }

    /// The same claims with `alg: none` and no signature.
    static func unsigned(from token: String) throws -> String {
        let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let parts = token.split(separator: ".")
        return "\(header).\(parts[1])."
    }

    /// `token`'s claims signed with `pem`, expiring `expiringIn` seconds from now when given.
    static func sign(from token: String, with pem: String, kid: String?, expiringIn seconds: TimeInterval? = nil) async throws -> String {
        var claims = try claims(of: token)
        if let seconds {
            claims.iat = IssuedAtClaim(value: Date().addingTimeInterval(min(0, seconds) - 60))
            claims.exp = ExpirationClaim(value: Date().addingTimeInterval(seconds))
        }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: pem), kid: kid.map { JWKIdentifier(string: $0) })
        return try await keys.sign(claims, kid: kid.map { JWKIdentifier(string: $0) })
    }

    /// `token` as the stack's `auth` would have issued it, but expiring `expiringIn` seconds from now.
    static func resign(_ token: String, expiringIn seconds: TimeInterval, api: API) async throws -> String {
        let pem = try String(contentsOfFile: TestEnvironment.require("AUTH_JWT_PRIVATE_KEY_FILE"), encoding: .utf8)
        let keys = try #require(try await api.get("/.well-known/jwks.json").json["keys"] as? [[String: Any]])
        return try await sign(from: token, with: pem, kid: try #require(keys.first?["kid"] as? String), expiringIn: seconds)
    }
}
