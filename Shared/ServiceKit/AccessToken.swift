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

    public init(userID: UUID, role: Role, sessionID: String, tokenID: String, issuedAt: Date, lifetime: Duration) {
        self.iss = IssuerClaim(value: Self.issuer)
        self.aud = AudienceClaim(value: [Self.audience])
        self.sub = SubjectClaim(value: userID.uuidString.lowercased())
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: issuedAt.addingTimeInterval(TimeInterval(lifetime.components.seconds)))
        self.jti = IDClaim(value: tokenID)
        self.role = role
        self.sid = sessionID
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try aud.verifyIntendedAudience(includes: Self.audience)
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }

    public var principal: Principal? {
        UUID(uuidString: sub.value).map { Principal(userID: $0, role: role, sessionID: sid) }
    }
}
