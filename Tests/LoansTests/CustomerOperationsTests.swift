import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Loans

/// `CustomerOperations` on a database of its own: a client's sections under versions, and the
/// files staff open, correct and read.
@Suite struct CustomerOperationsTests {
    @Test func aClientSavesEachSectionAndReadsItBackWithTheFilesVersion() async throws {
        try await LoansFixture.run { loans in
            let client = Principal.signedIn(as: .client)
            let none = try await loans.operations.problem(CustomersRPC.GetSection<PersonalDetails>.self, Empty(), as: client)
            #expect(none?.status == 404)
            let profile = try await loans.put(LoansFixture.profile(), as: client)
            #expect(profile.version == 1)
            let finances = try await loans.put(LoansFixture.finances(), as: client)
            #expect(finances.version == 2, "the sections share the file's version")
            let employment = EmploymentDetails(
                employmentType: .salaried, employer: "Analytical Engines", jobTitle: "Engineer", yearsEmployed: 4)
            #expect(try await loans.put(employment, expectedVersion: 2, as: client).version == 3)
            let read = try await loans.operations.ok(CustomersRPC.GetSection<PersonalDetails>.self, Empty(), as: client)
            #expect(read.section == LoansFixture.profile() && read.version == 3)
            #expect(
                try await loans.operations.ok(CustomersRPC.GetSection<EmploymentDetails>.self, Empty(), as: client).section == employment)
            // Someone else's file is theirs alone.
            #expect(
                try await loans.operations.problem(CustomersRPC.GetSection<PersonalDetails>.self, Empty(), as: .signedIn(as: .client))?
                    .status == 404)
            #expect(try await loans.database.count("customers") == 1)
        }
    }

    @Test func aNewOrChangedPhoneIsAnnouncedForVerificationAndAnUnchangedOneIsNot() async throws {
        try await LoansFixture.run { loans in
            let client = Principal.signedIn(as: .client)
            _ = try await loans.put(LoansFixture.profile(phone: "+14155550123"), as: client)
            _ = try await loans.put(LoansFixture.profile("Ada King", phone: "+14155550123"), as: client)
            _ = try await loans.put(LoansFixture.profile("Ada King", phone: "+442071838750"), as: client)
            let phones = try await loans.published(LoansEvents.PhoneChanged.self)
            #expect(phones.map(\.phone) == ["+14155550123", "+442071838750"])
            #expect(phones.allSatisfy { $0.customerID == client.userID })
        }
    }

    @Test func aSectionSavedOverAStaleVersionIsRefusedWithTheCurrentOneAndChangesNothing() async throws {
        try await LoansFixture.run { loans in
            let client = Principal.signedIn(as: .client)
            _ = try await loans.put(LoansFixture.profile(), as: client)
            _ = try await loans.put(LoansFixture.finances(), expectedVersion: 1, as: client)
            // Another tab still holds version 1.
            let stale = try #require(
                try await loans.operations.problem(
                    CustomersRPC.PutSection<FinancialDetails>.self,
                    .init(section: LoansFixture.finances(income: "9000.00"), expectedVersion: 1), as: client))
            #expect(stale.status == 412)
            let current = try #require(try stale.current(as: VersionedSection<FinancialDetails>.self))
            #expect(current.version == 2 && current.section == LoansFixture.finances())
            let read = try await loans.operations.ok(CustomersRPC.GetSection<FinancialDetails>.self, Empty(), as: client)
            #expect(read.section.monthlyIncome == Money("6000.00") && read.version == 2)
        }
    }

    @Test func anInvalidSectionIsRefusedFieldByFieldAndStoresNothing() async throws {
        try await LoansFixture.run { loans in
            let client = Principal.signedIn(as: .client)
            let minor = PersonalDetails(
                fullName: "  ", phone: "0415555", dateOfBirth: CalendarDate.today.adding(months: -12 * 10), address: "1 Main St\nFlat 2")
            let profile = try #require(
                try await loans.operations.problem(
                    CustomersRPC.PutSection<PersonalDetails>.self, .init(section: minor, expectedVersion: nil), as: client))
            #expect(profile.status == 422)
            #expect(profile.errors?.map(\.field) == ["full_name", "phone", "date_of_birth", "address"])
            let jobless = EmploymentDetails(employmentType: .salaried, employer: " ", yearsEmployed: 71)
            let employment = try await loans.operations.problem(
                CustomersRPC.PutSection<EmploymentDetails>.self, .init(section: jobless, expectedVersion: nil), as: client)
            #expect(Set(employment?.errors?.map(\.field) ?? []) == ["years_employed", "employer"])
            let rich = FinancialDetails(
                monthlyIncome: Money("1000000000.01")!, monthlyExpenses: .zero, existingMonthlyDebt: .zero)
            let financial = try await loans.operations.problem(
                CustomersRPC.PutSection<FinancialDetails>.self, .init(section: rich, expectedVersion: nil), as: client)
            #expect(financial?.errors?.map(\.field) == ["monthly_income"])
            #expect(try await loans.database.count("customers") == 0)
            #expect(try await loans.outbox().isEmpty)
        }
    }

    @Test func onlyAClientHasSectionsOfTheirOwn() async throws {
        try await LoansFixture.run { loans in
            let request = CustomersRPC.PutSection<PersonalDetails>.Request(section: LoansFixture.profile(), expectedVersion: nil)
            let staff = try await loans.operations.problem(CustomersRPC.PutSection<PersonalDetails>.self, request, as: loans.admin)
            let anonymous = try await loans.operations.problem(CustomersRPC.PutSection<PersonalDetails>.self, request, as: nil)
            #expect(staff?.status == 403 && anonymous?.status == 401)
            #expect(try await loans.database.count("customers") == 0)
        }
    }

    @Test func anAdminOpensAWalkInClientsFileAndTheOpeningIsAudited() async throws {
        try await LoansFixture.run { loans in
            let walkIn = Principal.signedIn(as: .client)
            let sections = CustomersRPC.Sections(profile: LoansFixture.profile("Grace Hopper"), financial: LoansFixture.finances())
            let opened = try await loans.operations.call(
                CustomersRPC.Open.self, .init(customerID: walkIn.userID, sections: sections), as: loans.admin)
            #expect(opened.status == 201)
            let customer = try opened.decode(Customer.self)
            #expect(customer.id == walkIn.userID && customer.profile?.fullName == "Grace Hopper" && customer.employment == nil)
            // The client finds it as their own when they first sign in.
            let profile = try await loans.operations.ok(CustomersRPC.GetSection<PersonalDetails>.self, Empty(), as: walkIn)
            #expect(profile.section.fullName == "Grace Hopper" && profile.version == customer.version)
            let audit = try #require(try await loans.published(LoansEvents.CustomerFileChanged.self).first)
            #expect(audit.change == .opened && audit.customerID == walkIn.userID)
            #expect(audit.actorID == loans.admin.userID && audit.actorRole == .admin)
            let before = try JSON.decode(CustomersRPC.Sections.self, from: Array(audit.before.utf8))
            let after = try JSON.decode(CustomersRPC.Sections.self, from: Array(audit.after.utf8))
            #expect(before == CustomersRPC.Sections() && after == sections)
            #expect(try await loans.published(LoansEvents.PhoneChanged.self).map(\.phone) == [LoansFixture.profile().phone])
        }
    }

    @Test func onlyAdminsOpenOrCorrectFilesAndARefusalChangesNothing() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let sections = CustomersRPC.Sections(financial: LoansFixture.finances(income: "100.00"))
            let events = try await loans.outbox()
            for role in [Role.client, .analyst, .manager, .director] {
                let caller = Principal.signedIn(as: role)
                #expect(
                    try await loans.operations.problem(
                        CustomersRPC.Open.self, .init(customerID: UUID(), sections: sections), as: caller)?.status == 403)
                #expect(
                    try await loans.operations.problem(
                        CustomersRPC.Correct.self, .init(id: client.userID, sections: sections, expectedVersion: nil), as: caller)?
                        .status == 403)
            }
            #expect(try await loans.database.count("customers") == 1)
            #expect(
                try await loans.operations.ok(CustomersRPC.GetSection<FinancialDetails>.self, Empty(), as: client).section
                    == LoansFixture.finances())
            #expect(try await loans.outbox() == events)
        }
    }

    @Test func aCorrectionHonoursIfMatchAndKeepsTheSectionsItLeavesOut() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let file = try await loans.operations.ok(CustomersRPC.Get.self, .init(id: client.userID), as: loans.admin)
            #expect(file.version == 2)
            let corrected = CustomersRPC.Sections(financial: LoansFixture.finances(income: "7500.00"))
            let stale = try #require(
                try await loans.operations.problem(
                    CustomersRPC.Correct.self, .init(id: client.userID, sections: corrected, expectedVersion: 1), as: loans.admin))
            #expect(stale.status == 412)
            #expect(try stale.current(as: Customer.self)?.version == 2)
            let after = try await loans.operations.ok(
                CustomersRPC.Correct.self, .init(id: client.userID, sections: corrected, expectedVersion: 2), as: loans.admin)
            #expect(after.version == 3)
            #expect(after.financial?.monthlyIncome == Money("7500.00"))
            #expect(after.profile == LoansFixture.profile(), "the profile was left out, so it stays")
            let audit = try await loans.published(LoansEvents.CustomerFileChanged.self)
            #expect(audit.map(\.change) == [.corrected])
            let before = try JSON.decode(CustomersRPC.Sections.self, from: Array(try #require(audit.first).before.utf8))
            #expect(before.financial == LoansFixture.finances() && before.profile == LoansFixture.profile())
            #expect(try await loans.published(LoansEvents.PhoneChanged.self).count == 1, "only the client's own first profile")
        }
    }

    @Test func aCorrectionOfNothingOrOfNoOneIsRefused() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let empty = try await loans.operations.problem(
                CustomersRPC.Correct.self, .init(id: client.userID, sections: .init(), expectedVersion: nil), as: loans.admin)
            #expect(empty?.status == 422 && empty?.errors?.map(\.field) == ["body"])
            let nobody = try await loans.operations.problem(
                CustomersRPC.Correct.self, .init(id: UUID(), sections: .init(financial: LoansFixture.finances()), expectedVersion: nil),
                as: loans.admin)
            #expect(nobody?.status == 404)
            let invalid = try await loans.operations.problem(
                CustomersRPC.Correct.self,
                .init(id: client.userID, sections: .init(profile: LoansFixture.profile(phone: "555-0123")), expectedVersion: nil),
                as: loans.admin)
            #expect(invalid?.errors?.map(\.field) == ["profile.phone"])
            #expect(try await loans.database.count("customers") == 1)
            #expect(try await loans.published(LoansEvents.CustomerFileChanged.self).isEmpty)
        }
    }

    @Test func anAdminValidatesSectionsBeforeAnAccountIsOpenedWithoutStoringThem() async throws {
        try await LoansFixture.run { loans in
            let sections = CustomersRPC.Sections(
                profile: LoansFixture.profile(phone: "12345"),
                employment: EmploymentDetails(employmentType: .student, yearsEmployed: 3))
            let problem = try await loans.operations.problem(CustomersRPC.Validate.self, sections, as: loans.admin)
            #expect(problem?.status == 422)
            #expect(problem?.errors?.map(\.field) == ["profile.phone", "employment.years_employed"])
            let valid = CustomersRPC.Sections(profile: LoansFixture.profile(), financial: LoansFixture.finances())
            #expect(try await loans.operations.call(CustomersRPC.Validate.self, valid, as: loans.admin).status == 200)
            #expect(try await loans.operations.problem(CustomersRPC.Validate.self, valid, as: .signedIn(as: .manager))?.status == 403)
            #expect(try await loans.database.count("customers") == 0)
        }
    }

    @Test func staffFindACustomerByNameAndSeeTheirBusinessWithUs() async throws {
        try await LoansFixture.run { loans in
            let ada = try await loans.client()
            let grace = Principal.signedIn(as: .client)
            _ = try await loans.put(LoansFixture.profile("Grace Hopper", phone: "+14155550199"), as: grace)
            let loan = try await loans.loan("6000.00", months: 12, for: ada)
            _ = try await loans.submit("2000.00", for: ada, product: try await loans.product())
            let analyst = Principal.signedIn(as: .analyst)
            let found = try await loans.operations.ok(CustomersRPC.List.self, .init(q: "hopper"), as: analyst)
            #expect(found.items.map(\.id) == [grace.userID])
            #expect(try await loans.operations.ok(CustomersRPC.List.self, .init(), as: analyst).total == 2)
            let customer = try await loans.operations.ok(CustomersRPC.Get.self, .init(id: ada.userID), as: analyst)
            #expect(customer.loanSummary == .init(applications: 2, activeLoans: 1, closedLoans: 0, outstandingPrincipal: loan.principal))
            #expect(try await loans.operations.problem(CustomersRPC.Get.self, .init(id: UUID()), as: analyst)?.status == 404)
            #expect(try await loans.operations.problem(CustomersRPC.Get.self, .init(id: ada.userID), as: ada)?.status == 403)
            #expect(try await loans.operations.problem(CustomersRPC.List.self, .init(), as: ada)?.status == 403)
        }
    }
}
