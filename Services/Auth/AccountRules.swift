import Contracts
import Crypto
import Foundation

/// What makes registration input acceptable. Pure rules, unit tested without servers.
enum AccountRules {
    static let minimumPasswordLength = 10
    /// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
    static let maximumPasswordBytes = 72
    static let maximumNameLength = 200

    /// The form emails are stored and compared in: Unicode NFKC (full-width and compatibility
    /// forms fold into their plain letters), lower case.
    static func normalizedEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// Characters that make two emails look alike while they differ: controls, invisible format
    /// characters (a zero-width space), bidirectional overrides (U+202E) and other code points a
    /// screen shows as nothing.
    static func hasHiddenCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            let properties = scalar.properties
            return properties.generalCategory == .control || properties.generalCategory == .format
                || properties.isBidiControl || properties.isDefaultIgnorableCodePoint
        }
    }

    /// A deliberately plain check (one `@`, a dot in the domain, no spaces): the OTP email proves
    /// the address, so this only catches typing accidents.
    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last else { return false }
        return !local.isEmpty && domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
            && email.count <= 254 && !email.contains(where: \.isWhitespace)
    }

    /// E.164: a `+`, then 8 to 15 digits, the first not zero.
    static func isE164(_ phone: String) -> Bool {
        guard phone.hasPrefix("+") else { return false }
        let digits = phone.dropFirst()
        return (8...15).contains(digits.count) && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
            && digits.first != "0"
    }

    /// What is wrong with `password` for the account of `email`, if anything: too short, too
    /// long for bcrypt, one of the 10,000 most common passwords, or containing the email's local
    /// part (ASVS 2.1.1, 2.1.7).
    static func passwordProblems(_ password: String, email: String, field: String = "password") -> [Problem.FieldError] {
        if password.count < minimumPasswordLength {
            return [.init(field: field, message: "must be at least \(minimumPasswordLength) characters")]
        }
        if password.utf8.count > maximumPasswordBytes {
            return [.init(field: field, message: "must be at most \(maximumPasswordBytes) bytes")]
        }
        if CommonPasswords.contains(password) {
            return [.init(field: field, message: "is one of the most common passwords; choose another")]
        }
        let local = normalizedEmail(email).split(separator: "@").first.map(String.init) ?? ""
        if local.count >= 3, password.lowercased().contains(local) {
            return [.init(field: field, message: "must not contain your email's name (\(local))")]
        }
        return []
    }

    static func nameProblem(_ fullName: String) -> Problem.FieldError? {
        let name = fullName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.isEmpty || name.count > maximumNameLength else { return nil }
        return .init(field: "full_name", message: "must be 1 to \(maximumNameLength) characters")
    }

    static func registrationProblems(_ request: AuthRPC.Register.Request) -> [Problem.FieldError] {
        let account = accountProblems(email: request.email, fullName: request.fullName, phone: request.phone)
        return account.filter { $0.field == "email" } + passwordProblems(request.password, email: request.email)
            + account.filter { $0.field != "email" }
    }

    /// What is wrong with an account's email, name and phone (an invited account has no password yet).
    static func accountProblems(email: String, fullName: String, phone: String?) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        if hasHiddenCharacters(email) {
            problems.append(.init(field: "email", message: "must not contain control, invisible or bidirectional characters"))
        } else if !isPlausibleEmail(normalizedEmail(email)) {
            problems.append(.init(field: "email", message: "must be an email address"))
        }
        if let problem = nameProblem(fullName) { problems.append(problem) }
        if let phone, !isE164(phone) {
            problems.append(.init(field: "phone", message: "must be an E.164 number such as +14155550123"))
        }
        return problems
    }
}

/// The emailed verification code: 6 digits, valid 10 minutes, 5 tries, at most one email a minute.
enum OneTimeCodePolicy {
    static let lifetime: TimeInterval = 10 * 60
    /// A walk-in client may not read their email for days.
    static let inviteLifetime: TimeInterval = 7 * 24 * 3600
    static let maximumAttempts = 5
    static let resendInterval = 60

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
    }

    /// Codes are stored hashed with the user's id, so a leaked table reveals no usable code.
    static func hash(_ code: String, userID: UUID) -> String {
        let digest = SHA256.hash(data: Data("\(userID.uuidString.lowercased()):\(code)".utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    static func matches(_ code: String, userID: UUID, hash: String) -> Bool {
        let candidate = Array(self.hash(code, userID: userID).utf8)
        let expected = Array(hash.utf8)
        guard candidate.count == expected.count else { return false }
        return zip(candidate, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0  // constant time
    }

    static func invitation(code: String, to address: String) -> NotificationCommands.SendEmail {
        NotificationCommands.SendEmail(
            to: address, subject: "Your account is ready: set your password",
            text: """
                We opened an account for you at our branch. To start using it, set your password with
                the code below.

                Your invitation code is \(code).

                The code expires in 7 days. If you did not visit us, ignore this email.
                """)
    }

    static func email(code: String, to address: String) -> NotificationCommands.SendEmail {
        NotificationCommands.SendEmail(
            to: address, subject: "Your verification code",
            text: """
                Your verification code is \(code).

                It expires in 10 minutes. If you did not create an account, ignore this email.
                """)
    }
}

/// Five failed sign-ins in a row lock an account for fifteen minutes (counted in SQL, atomically).
enum LoginPolicy {
    static let maximumFailures = 5
    static let lockoutSeconds = 15 * 60
}
