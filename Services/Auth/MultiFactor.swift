import Foundation
import HummingbirdOTP

/// TOTP (RFC 6238, SHA-1, 6 digits, 30 s) for staff accounts.
enum MultiFactor {
    static let issuer = "Lending Platform"

    /// A new shared secret (kept server-side as text; authenticators get its base32 form).
    static func newSecret() -> String {
        String(RandomToken.make(bytes: 15).prefix(20))
    }

    static func authenticatorURI(secret: String, account: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: account, issuer: issuer)
    }

    /// The `secret` parameter of an `otpauth://` URI: the base32 text people type in.
    static func base32Secret(in uri: String) -> String {
        URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
    }

    /// Whether `code` is the code of the current 30 s step or of either neighbour (clock drift).
    static func accepts(_ code: String, secret: String, at date: Date = Date()) -> Bool {
        guard code.count == 6, let value = Int(code), code.allSatisfy(\.isASCII) else { return false }
        let totp = TOTP(secret: secret)
        return [-30.0, 0, 30].contains { totp.compute(date: date.addingTimeInterval($0)) == value }
    }
}
