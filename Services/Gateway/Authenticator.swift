import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Who is calling: verifies access tokens locally (signature, expiry, audience), remembering the
/// ones it verified, since a client sends the same token with every request and the signature
/// check is the costliest step of a read. Revocation is never remembered: ``Admission`` asks Redis
/// on every request.
struct Authenticator: Sendable {
    let keys: VerificationKeys
    let admission: Admission
    /// Tokens whose signature verified, by their text.
    private let verified = BoundedMemo<String, AccessTokenClaims>(capacity: 10_000)

    init(keys: VerificationKeys, admission: Admission) {
        self.keys = keys
        self.admission = admission
    }

    /// The token's claims, or the 401 it deserves. Expiry is checked on every call, also for a
    /// token verified before.
    func verify(_ token: String) async -> Result<AccessTokenClaims, Problem> {
        if let claims = verified.value(for: token) {
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
    static let invalid = Problem.unauthorized("The access token is invalid or expired.", slug: "invalid-token")

    static func bearerToken(_ request: Request) -> String? {
        bearerToken(authorization: request.headers[.authorization])
    }

    static func bearerToken(authorization header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        // Swift's own trimming: Foundation's goes through NSString and was a tenth of the
        // gateway's CPU on an authenticated read (measured).
        let token = parts[1].trimmingPrefix { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }
        return end.map { String(token[...$0]) }
    }
}
