import Configuration
import Contracts
import Foundation

/// `auth`'s own settings, from the environment.
struct AuthSettings: Sendable {
    let privateKeyPEM: String
    /// Keys rotated out whose tokens may still be alive: published for verification, never used to sign.
    let retiredKeyPEMs: [String]
    let accessTokenLifetime: Duration
    let sessionLifetime: SessionLifetime
    let bcryptCost: UInt8
    /// Roles that must turn MFA on before doing anything else (in production: every staff role).
    let mfaRequiredRoles: Set<Role>
    let bootstrapEmail: String?
    let bootstrapPassword: String?

    init(_ reader: ConfigReader) throws {
        if let pem = reader.string(forKey: "auth.jwt.private.key", isSecret: true) {
            privateKeyPEM = pem
        } else if let path = reader.string(forKey: "auth.jwt.private.key.file") {
            privateKeyPEM = try String(contentsOfFile: path, encoding: .utf8)
        } else {
            throw TokenIssuerError.missingKey
        }
        retiredKeyPEMs = try reader.string(forKey: "auth.jwt.retired.key.files", default: "")
            .split(separator: ",").map { try String(contentsOfFile: $0.trimmingCharacters(in: .whitespaces), encoding: .utf8) }
        accessTokenLifetime = .seconds(reader.int(forKey: "auth.access.token.ttl", default: 900))
        sessionLifetime = SessionLifetime(
            absoluteSeconds: reader.int(forKey: "session.absolute.hours", default: 12) * 3600,
            idleSeconds: reader.int(forKey: "session.idle.minutes", default: 30) * 60)
        bcryptCost = UInt8(clamping: reader.int(forKey: "auth.bcrypt.cost", default: 11))
        mfaRequiredRoles = try Set(
            reader.string(forKey: "auth.mfa.required.roles", default: "").split(separator: ",").map {
                let name = $0.trimmingCharacters(in: .whitespaces)
                guard let role = Role(rawValue: name), role.isStaff else { throw AuthSettingsError.unknownRole(name) }
                return role
            })
        bootstrapEmail = reader.string(forKey: "bootstrap.super.admin.email")
        bootstrapPassword = reader.string(forKey: "bootstrap.super.admin.password", isSecret: true)
    }
}

enum AuthSettingsError: Error, CustomStringConvertible {
    case unknownRole(String)

    var description: String {
        switch self {
        case .unknownRole(let name): "AUTH_MFA_REQUIRED_ROLES: \(name) is not a staff role (analyst, manager, director, admin, super_admin)"
        }
    }
}
