import Configuration
import Foundation

/// `auth`'s own settings, from the environment.
struct AuthSettings: Sendable {
    let privateKeyPEM: String
    /// Keys rotated out whose tokens may still be alive: published for verification, never used to sign.
    let retiredKeyPEMs: [String]
    let accessTokenLifetime: Duration
    let refreshTokenLifetimeSeconds: Int
    let bcryptCost: UInt8
    /// Staff must turn MFA on before doing anything else (set it in production).
    let mfaRequiredForStaff: Bool
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
        refreshTokenLifetimeSeconds = reader.int(forKey: "auth.refresh.token.ttl", default: 30 * 24 * 3600)
        bcryptCost = UInt8(clamping: reader.int(forKey: "auth.bcrypt.cost", default: 11))
        mfaRequiredForStaff = reader.bool(forKey: "auth.mfa.required.for.staff", default: false)
        bootstrapEmail = reader.string(forKey: "bootstrap.super.admin.email")
        bootstrapPassword = reader.string(forKey: "bootstrap.super.admin.password", isSecret: true)
    }
}
