import Contracts
import Crypto
import Foundation
import JWTKit
import ServiceKit

/// Signs access tokens with the service's ES256 key and publishes the public half as a JWK.
/// Every `auth` replica loads the same key from configuration, so any of them can issue and the
/// gateway verifies without asking.
struct TokenIssuer: Sendable {
    let lifetime: Duration
    let jwk: AuthRPC.JWK
    private let keys: JWTKeyCollection

    init(privateKeyPEM: String, lifetime: Duration) async throws {
        let key = try ES256PrivateKey(pem: privateKeyPEM)
        guard let (x, y) = key.publicKey.parameters else { throw TokenIssuerError.unusableKey }
        // RFC 7638 thumbprint: a key id that changes exactly when the key does.
        let thumbprint = SHA256.hash(data: Data(#"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#.utf8))
        let keyID = Data(thumbprint).base64URLEncoded
        self.jwk = AuthRPC.JWK(kty: "EC", crv: "P-256", x: x, y: y, kid: keyID, alg: "ES256", use: "sig")
        self.lifetime = lifetime
        self.keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: keyID))
    }

    func issue(userID: UUID, role: Role, sessionID: String, mfaSetupRequired: Bool) async throws -> (token: String, expiresIn: Int) {
        let claims = AccessTokenClaims(
            userID: userID, role: role, sessionID: sessionID, tokenID: RandomToken.make(bytes: 16), issuedAt: Date(),
            lifetime: lifetime, mfaSetupRequired: mfaSetupRequired)
        return (try await keys.sign(claims, kid: JWKIdentifier(string: jwk.kid)), Int(lifetime.components.seconds))
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
