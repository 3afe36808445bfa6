import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Synchronization

/// Who is calling: verifies access tokens locally (signature, expiry, audience), remembering the
/// ones it verified, since a client sends the same token with every request and the signature
/// check is the costliest step of a read. Revocation is never remembered: ``Admission`` asks Redis
/// on every request.
struct Authenticator: Sendable {
    let keys: VerificationKeys
    let admission: Admission
    private let verified = VerifiedTokens(capacity: 10_000)

    init(keys: VerificationKeys, admission: Admission) {
        self.keys = keys
        self.admission = admission
    }

    /// The token's claims, or the 401 it deserves. Expiry is checked on every call, also for a
    /// token verified before.
    func verify(_ token: String) async -> Result<AccessTokenClaims, Problem> {
        if let claims = verified.claims(for: token) {
            return claims.exp.value > Date() ? .success(claims) : .failure(Self.invalid)
        }
        do {
            let claims = try await keys.verify(token)
            verified.remember(claims, for: token)
            return .success(claims)
        } catch let problem as Problem {
            return .failure(problem)
        } catch {
            return .failure(Self.invalid)
        }
    }

    /// A verified token that is still live (for the WebSocket upgrade, which spends no budget).
    func authenticate(token: String?) async throws -> AccessTokenClaims {
        guard let token else { throw Self.missing }
        let claims = try await verify(token).get()
        if let problem = try await admission.admit([], token: claims) { throw problem }
        return claims
    }

    static let missing = Problem.unauthorized("Send an access token: Authorization: Bearer <token>.", slug: "missing-token")
    private static let invalid = Problem.unauthorized("The access token is invalid or expired.", slug: "invalid-token")

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

/// Tokens whose signature verified, up to `capacity`; when full it starts over, which costs one
/// signature check per active token and keeps the memory bounded without bookkeeping per hit.
final class VerifiedTokens: Sendable {
    private let capacity: Int
    private let tokens = Mutex<[String: AccessTokenClaims]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func claims(for token: String) -> AccessTokenClaims? {
        tokens.withLock { $0[token] }
    }

    func remember(_ claims: AccessTokenClaims, for token: String) {
        tokens.withLock { tokens in
            if tokens.count >= capacity { tokens.removeAll(keepingCapacity: true) }
            tokens[token] = claims
        }
    }
}
