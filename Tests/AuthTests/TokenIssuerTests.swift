import Contracts
import Crypto
import Foundation
import JWTKit
import ServiceKit
import Testing

@testable import Auth

@Suite struct TokenIssuerTests {
    private func pem() -> String { P256.Signing.PrivateKey().pemRepresentation }

    private func verifier(for jwks: [AuthRPC.JWK]) async throws -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: String(decoding: try JSON.encode(AuthRPC.Keys.Response(keys: jwks)), as: UTF8.self))
        return keys
    }

    @Test func tokensOfARetiredKeyStillVerifyAfterARotation() async throws {
        let (old, new) = (pem(), pem())
        let before = try await TokenIssuer(privateKeyPEM: old, lifetime: .seconds(900))
        let after = try await TokenIssuer(privateKeyPEM: new, retiredKeyPEMs: [old], lifetime: .seconds(900))
        #expect(after.jwks.count == 2)
        #expect(after.jwks[1].kid == before.currentKeyID)
        #expect(after.currentKeyID != before.currentKeyID)

        let user = UUID()
        let oldToken = try await before.issue(userID: user, role: .analyst, sessionID: "s1", mfaSetupRequired: false).token
        let newToken = try await after.issue(userID: user, role: .analyst, sessionID: "s2", mfaSetupRequired: false).token
        let gateway = try await verifier(for: after.jwks)
        #expect(try await gateway.verify(oldToken, as: AccessTokenClaims.self).sid == "s1")
        #expect(try await gateway.verify(newToken, as: AccessTokenClaims.self).principal?.userID == user)
    }

    @Test func aTokenFromAnUnknownKeyIsRefused() async throws {
        let stranger = try await TokenIssuer(privateKeyPEM: pem(), lifetime: .seconds(900))
        let ours = try await TokenIssuer(privateKeyPEM: pem(), lifetime: .seconds(900))
        let token = try await stranger.issue(userID: UUID(), role: .admin, sessionID: "s", mfaSetupRequired: false).token
        let gateway = try await verifier(for: ours.jwks)
        await #expect(throws: (any Error).self) { try await gateway.verify(token, as: AccessTokenClaims.self) }
    }
}
