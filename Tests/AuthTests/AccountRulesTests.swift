import Contracts
import Foundation
import Testing

@testable import Auth

@Suite struct AccountRulesTests {
    @Test func emailsAreCompared_trimmedAndLowercased() {
        #expect(AccountRules.normalizedEmail("  Alice@Example.COM \n") == "alice@example.com")
    }

    @Test func emailsFoldCompatibilityFormsBeforeComparing() {
        #expect(AccountRules.normalizedEmail("\u{FF21}lice@Example.com") == "alice@example.com")  // full-width A
        #expect(AccountRules.normalizedEmail("e\u{301}lise@bank.example") == "\u{E9}lise@bank.example")  // composed
    }

    @Test(arguments: [
        "ali\u{200B}ce@bank.example", "alice@bank\u{202E}elpmaxe", "ali\u{00AD}ce@bank.example", "al\u{0}ice@bank.example",
        "alice\u{2060}@bank.example",
    ])
    func emailsWithHiddenCharactersAreRefused(_ email: String) {
        #expect(AccountRules.hasHiddenCharacters(email))
        let request = AuthRPC.Register.Request(email: email, password: "long enough!", fullName: "A B")
        #expect(AccountRules.registrationProblems(request).map(\.field) == ["email"])
    }

    @Test func visibleUnicodeInEmailsIsFine() {
        #expect(!AccountRules.hasHiddenCharacters("zoë.o'brien@bank.example"))
        #expect(!AccountRules.hasHiddenCharacters("用户@例子.广告"))
    }

    @Test(arguments: ["a@b.co", "first.last+tag@bank.example"])
    func plausibleEmailsPass(_ email: String) {
        #expect(AccountRules.isPlausibleEmail(email))
    }

    @Test(arguments: ["", "alice", "alice@", "@bank.example", "alice@bank", "al ice@bank.example", "a@b@c.example", "a@.example"])
    func implausibleEmailsFail(_ email: String) {
        #expect(!AccountRules.isPlausibleEmail(email))
    }

    @Test func phoneNumbersMustBeE164() {
        #expect(AccountRules.isE164("+14155550123"))
        #expect(!AccountRules.isE164("14155550123"))
        #expect(!AccountRules.isE164("+0123456789"))
        #expect(!AccountRules.isE164("+1415555"))
        #expect(!AccountRules.isE164("+1415555012a"))
    }

    @Test func passwordsNeedTenCharactersAndFitBcrypt() {
        #expect(AccountRules.passwordProblems("123456789", email: "a@b.co").first?.field == "password")
        #expect(AccountRules.passwordProblems("a sound password", email: "a@b.co").isEmpty)
        #expect(AccountRules.passwordProblems(String(repeating: "é", count: 40), email: "a@b.co").first?.message.contains("72") == true)
    }

    @Test(arguments: ["1234567890", "password123", "qwertyuiop", "Password123", "QWERTYUIOP"])
    func commonPasswordsAreRefused(_ password: String) {
        #expect(CommonPasswords.contains(password))
        #expect(AccountRules.passwordProblems(password, email: "a@b.co").first?.message.contains("common") == true)
    }

    @Test func theCompiledListHasTenThousandPasswords() {
        #expect(CommonPasswords.count == 10_000)
        #expect(!CommonPasswords.contains("a sound password"))
        #expect(!CommonPasswords.contains(""))
    }

    @Test func aPasswordMustNotContainTheEmailsName() {
        let problems = AccountRules.passwordProblems("Ada.Lovelace-1815", email: "ada.lovelace@bank.example")
        #expect(problems.first?.message.contains("ada.lovelace") == true)
        #expect(AccountRules.passwordProblems("analytical engine 1843", email: "ada.lovelace@bank.example").isEmpty)
    }

    @Test func registrationNamesEveryBadField() {
        let request = AuthRPC.Register.Request(email: "nope", password: "short", fullName: "  ", phone: "555")
        let fields = AccountRules.registrationProblems(request).map(\.field)
        #expect(fields == ["email", "password", "full_name", "phone"])
        let good = AuthRPC.Register.Request(email: "a@b.co", password: "long enough!", fullName: "A B", phone: "+4915112345678")
        #expect(AccountRules.registrationProblems(good).isEmpty)
    }
}

@Suite struct OneTimeCodeTests {
    @Test func codesAreSixDigits() {
        for _ in 0..<200 {
            let code = OneTimeCodePolicy.generate()
            #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        }
    }

    @Test func aCodeMatchesOnlyItsOwnHashAndUser() {
        let user = UUID()
        let hash = OneTimeCodePolicy.hash("123456", userID: user)
        #expect(OneTimeCodePolicy.matches("123456", userID: user, hash: hash))
        #expect(!OneTimeCodePolicy.matches("123457", userID: user, hash: hash))
        #expect(!OneTimeCodePolicy.matches("123456", userID: UUID(), hash: hash))
        #expect(!hash.contains("123456"))
    }

    @Test func theEmailCarriesTheCode() {
        let email = OneTimeCodePolicy.email(code: "042917", to: "a@b.co")
        #expect(email.to == "a@b.co")
        #expect(email.text.contains("042917"))
    }
}
