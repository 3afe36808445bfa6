import Contracts
import Crypto
import Foundation
import JWTKit
import ServiceKit

/// Signs access tokens with the current ES256 key and publishes the public halves of the current
/// and the retired keys as a JWK Set. Every `auth` replica loads the same keys from configuration,
/// so any of them can issue and the gateway verifies without asking.
///
/// Rotation without downtime: make the new key current and list the old one as retired; tokens it
/// signed keep verifying (the gateway refetches the set on an unknown `kid`) until they expire,
/// then the retired key can go.
struct TokenIssuer: Sendable {
    let lifetime: Duration
    /// Current key first.
    let jwks: [AuthRPC.JWK]
    private let keys: JWTKeyCollection

    init(privateKeyPEM: String, retiredKeyPEMs: [String] = [], lifetime: Duration) async throws {
        let current = try ES256PrivateKey(pem: privateKeyPEM)
        let retired = try retiredKeyPEMs.map { try ES256PrivateKey(pem: $0) }
        self.jwks = try ([current] + retired).map(Self.jwk)
        self.lifetime = lifetime
        self.keys = JWTKeyCollection()
        await keys.add(ecdsa: current, kid: JWKIdentifier(string: jwks[0].kid))
    }

    var currentKeyID: String { jwks[0].kid }

    /// The public half as a JWK; its id is the RFC 7638 thumbprint, which changes exactly when the key does.
    private static func jwk(_ key: ES256PrivateKey) throws -> AuthRPC.JWK {
        guard let (x, y) = key.publicKey.parameters else { throw TokenIssuerError.unusableKey }
        let thumbprint = SHA256.hash(data: Data(#"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#.utf8))
        return AuthRPC.JWK(
            kty: "EC", crv: "P-256", x: x, y: y, kid: Data(thumbprint).base64URLEncoded, alg: "ES256", use: "sig")
    }

    func issue(userID: UUID, role: Role, sessionID: String, mfaSetupRequired: Bool) async throws -> (token: String, expiresIn: Int) {
        let claims = AccessTokenClaims(
            userID: userID, role: role, sessionID: sessionID, tokenID: RandomToken.make(bytes: 16), issuedAt: Date(),
            lifetime: lifetime, mfaSetupRequired: mfaSetupRequired)
        return (try await keys.sign(claims, kid: JWKIdentifier(string: currentKeyID)), Int(lifetime.components.seconds))
    }
}

enum TokenIssuerError: Error, CustomStringConvertible {
    case unusableKey
    case missingKey

    var description: String {
        switch self {
        case .unusableKey: "the JWT signing key is not a usable P-256 private key"
        case .missingKey: "set AUTH_JWT_PRIVATE_KEY_FILE (or AUTH_JWT_PRIVATE_KEY) to a PEM EC P-256 private key"
        }
    }
}

enum RandomToken {
    /// URL-safe random text from the system's secure generator.
    static func make(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URLEncoded
    }
}

extension Data {
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
