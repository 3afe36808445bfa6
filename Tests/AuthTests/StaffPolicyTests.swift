import Contracts
import Foundation
import HummingbirdOTP
import Testing

@testable import Auth

@Suite struct StaffPolicyTests {
    let admin = Principal(userID: UUID(), role: .admin, sessionID: "s")
    let root = Principal(userID: UUID(), role: .superAdmin, sessionID: "s")

    @Test func onlySuperAdminsCreateAdmins() {
        #expect(StaffPolicy.refusalToCreate(.analyst, by: .admin) == nil)
        #expect(StaffPolicy.refusalToCreate(.admin, by: .admin)?.status == 403)
        #expect(StaffPolicy.refusalToCreate(.superAdmin, by: .admin)?.status == 403)
        #expect(StaffPolicy.refusalToCreate(.admin, by: .superAdmin) == nil)
        #expect(StaffPolicy.refusalToCreate(.client, by: .superAdmin)?.status == 422)
    }

    @Test func adminsChangeOnlyNonPrivilegedAccountsAndNeverTheirOwn() {
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .analyst, newRole: .manager, by: admin) == nil)
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .analyst, newRole: .admin, by: admin)?.status == 403)
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .admin, newRole: nil, by: admin)?.status == 403)
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .admin, newRole: nil, by: root) == nil)
        #expect(StaffPolicy.refusalToUpdate(target: admin.userID, currentRole: .admin, newRole: nil, by: admin)?.status == 409)
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .analyst, newRole: .client, by: root)?.status == 422)
    }

    @Test func aClientAccountNeverBecomesStaff() {
        for role in Role.allCases where role.isStaff {
            #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .client, newRole: role, by: root)?.status == 422)
        }
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .client, newRole: .client, by: admin) == nil)
        #expect(StaffPolicy.refusalToUpdate(target: UUID(), currentRole: .client, newRole: nil, by: admin) == nil)
    }
}

@Suite struct MultiFactorTests {
    @Test func theCodeOfNowAndItsNeighboursAreAccepted() {
        let secret = MultiFactor.newSecret()
        let now = Date()
        let totp = TOTP(secret: secret)
        for offset in [-30.0, 0, 30] {
            #expect(
                MultiFactor.accepts(String(format: "%06d", totp.compute(date: now.addingTimeInterval(offset))), secret: secret, at: now))
        }
        #expect(!MultiFactor.accepts(String(format: "%06d", totp.compute(date: now.addingTimeInterval(120))), secret: secret, at: now))
        #expect(!MultiFactor.accepts("12345", secret: secret))
        #expect(!MultiFactor.accepts("abcdef", secret: secret))
    }

    @Test func theURIcarriesTheBase32Secret() {
        let uri = MultiFactor.authenticatorURI(secret: "12345678901234567890", account: "ann@staff.example")
        #expect(uri.hasPrefix("otpauth://totp/"))
        #expect(MultiFactor.base32Secret(in: uri) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")  // RFC 6238's test secret
    }
}
