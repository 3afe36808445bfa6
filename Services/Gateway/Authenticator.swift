import Contracts
import Hummingbird
import Redis
import ServiceKit

/// Verifies the caller's access token locally (signature, expiry, audience) and then asks Redis
/// whether its session or the token itself was revoked. Fails closed: when Redis cannot be asked,
/// no token is accepted (503, so clients retry rather than sign out).
struct Authenticator: Sendable {
    let keys: VerificationKeys
    let redis: RedisClient

    func authenticate(_ request: Request) async throws -> AccessTokenClaims {
        try await authenticate(token: Self.bearerToken(request))
    }

    func authenticate(token: String?) async throws -> AccessTokenClaims {
        guard let token else {
            throw Problem.unauthorized("Send an access token: Authorization: Bearer <token>.", slug: "missing-token")
        }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.unauthorized("The access token is invalid or expired.", slug: "invalid-token")
        }
        let replies: [Result<RedisValue, RedisError>]
        do {
            replies = try await redis.pipeline([
                ["EXISTS", TokenRevocation.sessionKey(claims.sid)],
                ["EXISTS", TokenRevocation.revokedTokenKey(claims.jti.value)],
            ])
        } catch {
            throw Problem.unavailable("Access tokens cannot be checked right now.")
        }
        switch (replies.first, replies.last) {
        case (.success(.integer(1)), .success(.integer(0))):
            return claims
        case (.success(.integer), .success(.integer)):
            throw Problem.unauthorized("The access token has been revoked.", slug: "revoked-token")
        default:
            throw Problem.unavailable("Access tokens cannot be checked right now.")
        }
    }

    static func bearerToken(_ request: Request) -> String? {
        bearerToken(authorization: request.headers[.authorization])
    }

    static func bearerToken(authorization header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
