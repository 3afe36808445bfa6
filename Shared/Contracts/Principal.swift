import Foundation

public enum Role: String, Codable, Sendable, CaseIterable {
    case client
    case analyst
    case manager
    case director
    case admin
    case superAdmin = "super_admin"

    public var isStaff: Bool { self != .client }
}

/// The authenticated caller. Set by the gateway alone (from a verified access token) in the
/// `x-principal` header of RPC requests; services trust it because only the gateway faces users.
public struct Principal: Codable, Sendable, Hashable {
    public var userID: UUID
    public var role: Role
    public var sessionID: String
    /// A staff member who must set up MFA before doing anything else (when MFA is mandatory).
    public var mfaSetupRequired: Bool

    public init(userID: UUID, role: Role, sessionID: String, mfaSetupRequired: Bool = false) {
        self.userID = userID
        self.role = role
        self.sessionID = sessionID
        self.mfaSetupRequired = mfaSetupRequired
    }

    public static let headerName = "x-principal"
}
