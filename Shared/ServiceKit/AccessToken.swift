import Contracts
import Foundation
import JWTKit

/// The claims of an access token: issued by `auth`, verified by the gateway with `auth`'s public
/// keys. `sid` names the session (revoked at logout), `jti` the token itself (revoked at logout
/// until it would have expired).
public struct AccessTokenClaims: JWTPayload, Equatable {
    public static let issuer = "lending-auth"
    public static let audience = "lending-api"

    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var sub: SubjectClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var jti: IDClaim
    public var role: Role
    public var sid: String
    /// Present (true) on the restricted token of staff who must set up MFA first.
    public var mfaSetupRequired: Bool?

    private enum CodingKeys: String, CodingKey {
        case iss, aud, sub, iat, exp, jti, role, sid
        case mfaSetupRequired = "mfa_setup_required"
    }

    /// - Parameters:
    ///   - userID: the subject (`sub`), written in lowercase.
    ///   - role: the role services see in the caller's `Principal`.
    ///   - issuedAt: `iat`; the token expires `lifetime` after it.
    ///   - sessionID: the session the token belongs to (`sid`); signing out ends it.
    ///   - tokenID: the token's own id (`jti`).
    ///   - lifetime: from `issuedAt` to `exp`, in whole seconds.
    ///   - mfaSetupRequired: makes it the restricted token of staff who must set up MFA first.
    public init(
        userID: UUID, role: Role, sessionID: String, tokenID: String, issuedAt: Date, lifetime: Duration,
        mfaSetupRequired: Bool = false
    ) {
        self.iss = IssuerClaim(value: Self.issuer)
        self.aud = AudienceClaim(value: [Self.audience])
        self.sub = SubjectClaim(value: userID.uuidString.lowercased())
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: issuedAt.addingTimeInterval(TimeInterval(lifetime.components.seconds)))
        self.jti = IDClaim(value: tokenID)
        self.role = role
        self.sid = sessionID
        self.mfaSetupRequired = mfaSetupRequired ? true : nil
    }

    /// Checks the claims JWTKit leaves to the payload, after the signature.
    ///
    /// - Throws: a `JWTError` when the token has expired, is not for `lending-api`, or was not
    ///   issued by `lending-auth`. Whether its session is still alive is the gateway's next check.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try aud.verifyIntendedAudience(includes: Self.audience)
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }

    /// The caller the token speaks for; nil when `sub` is not a user id.
    public var principal: Principal? {
        UUID(uuidString: sub.value).map {
            Principal(userID: $0, role: role, sessionID: sid, mfaSetupRequired: mfaSetupRequired == true)
        }
    }
}
