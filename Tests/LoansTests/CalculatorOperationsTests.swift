import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Loans

/// `CalculatorOperations` on a database of its own: instalment quotes, and eligibility against a
/// product of the catalogue or the default rate.
@Suite struct CalculatorOperationsTests {
    /// An applicant asking for `amount` over `months` with the fixture's comfortable finances.
    private func eligibility(
        _ amount: String, months: Int, income: String = "6000.00", expenses: String = "1500.00", debt: String = "0.00", product: UUID? = nil
    ) -> LoansRPC.Eligibility.Request {
        .init(
            monthlyIncome: Money(income)!, monthlyExpenses: Money(expenses)!, existingMonthlyDebt: Money(debt)!, amount: Money(amount)!,
            termMonths: months, productID: product)
    }

    @Test func anInstalmentQuoteNeedsNoSignInAndItsScheduleAddsUp() async throws {
        try await LoansFixture.run { loans in
            let request = LoansRPC.EMI.Request(
                principal: Money("12000.00")!, annualRate: Percent("12.00")!, termMonths: 12, includeSchedule: true)
            let quote = try await loans.operations.ok(LoansRPC.EMI.self, request, as: nil)
            #expect(quote.emi == Money("1066.19"), "12,000 at 1 % a month over a year")
            #expect(quote.totalPayment == Money("12000.00")! + quote.totalInterest)
            let schedule = try #require(quote.schedule)
            #expect(schedule.map(\.number) == Array(1...12))
            #expect(schedule.reduce(Money.zero) { $0 + $1.principal } == Money("12000.00"))
            #expect(schedule.reduce(Money.zero) { $0 + $1.interest } == quote.totalInterest)
            #expect(schedule.first?.interest == Money("120.00") && schedule.last?.balance == .zero)
            var bare = request
            bare.includeSchedule = nil
            #expect(try await loans.operations.ok(LoansRPC.EMI.self, bare, as: nil).schedule == nil)
        }
    }

    @Test func aQuoteOutOfRangeIsRefusedFieldByField() async throws {
        try await LoansFixture.run { loans in
            let emi = try await loans.operations.problem(
                LoansRPC.EMI.self, .init(principal: .zero, annualRate: Percent("12.00")!, termMonths: 601), as: nil)
            #expect(emi?.status == 422 && emi?.errors?.map(\.field) == ["principal", "term_months"])
            let eligibility = try await loans.operations.problem(
                LoansRPC.Eligibility.self, eligibility("1000000000.01", months: 0, income: "1000000001.00"), as: nil)
            #expect(eligibility?.errors?.map(\.field) == ["amount", "term_months", "monthly_income"])
        }
    }

    @Test func anAffordableLoanIsEligibleAtTheDefaultRate() async throws {
        try await LoansFixture.run { loans in
            let answer = try await loans.operations.ok(LoansRPC.Eligibility.self, eligibility("12000.00", months: 12), as: nil)
            #expect(answer.eligible && answer.reasons.isEmpty)
            // 1,066.19 a month out of 6,000.
            #expect(answer.dti == "0.1777")
            // 40 % of income, 2,400 a month, at 12 % over a year.
            let largest = Amortization.principal(
                affordableInstalment: Money("2400.00")!, annualRate: CalculatorOperations.defaultAnnualRate, termMonths: 12)
            #expect(answer.maxEligibleAmount == largest && largest > Money("12000.00")!)
        }
    }

    @Test func anUnaffordableLoanIsIneligibleWithItsReasons() async throws {
        try await LoansFixture.run { loans in
            let stretched = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("40000.00", months: 12, income: "3000.00", expenses: "1000.00", debt: "500.00"),
                as: nil)
            #expect(!stretched.eligible)
            #expect(stretched.reasons == ["DTI_TOO_HIGH", "INSUFFICIENT_DISPOSABLE_INCOME"])
            #expect(stretched.maxEligibleAmount < Money("40000.00")!)
            let jobless = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("1000.00", months: 12, income: "0.00", expenses: "0.00"), as: nil)
            #expect(!jobless.eligible && jobless.dti == nil && jobless.reasons.first == "NO_INCOME")
            #expect(jobless.maxEligibleAmount == .zero)
        }
    }

    @Test func aQuoteAgainstAProductUsesItsRateAndItsLimits() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            var dearer = ProductsRPC.Fields()
            dearer.annualRate = Percent("24.00")
            let expensive = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: (try await loans.product()).id, fields: dearer, expectedVersion: nil), as: loans.admin)
            let atDefault = try await loans.operations.ok(LoansRPC.Eligibility.self, eligibility("12000.00", months: 12), as: nil)
            let atTwelve = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("12000.00", months: 12, product: product.id), as: nil)
            let atTwentyFour = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("12000.00", months: 12, product: expensive.id), as: nil)
            #expect(atTwelve.dti == atDefault.dti, "the product's 12 % is the default rate")
            let instalment = Amortization.emi(principal: Money("12000.00")!, annualRate: Percent("24.00")!, termMonths: 12)
            #expect(atTwentyFour.dti == Money.format((instalment.decimal / 6000).rounded(scale: 4), places: 4))
            #expect(atTwentyFour.maxEligibleAmount < atTwelve.maxEligibleAmount)
            // The product lends 1,000 to 50,000 over 6 to 60 months, whatever the applicant affords.
            let outside = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("60000.00", months: 72, income: "90000.00", product: product.id), as: nil)
            #expect(!outside.eligible)
            #expect(outside.reasons == ["AMOUNT_OUTSIDE_PRODUCT_LIMITS", "TERM_OUTSIDE_PRODUCT_LIMITS"])
            #expect(outside.maxEligibleAmount == product.maxAmount)
        }
    }

    @Test func aQuoteFollowsTheProductsCurrentRateAndRefusesARetiredOne() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let before = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("12000.00", months: 12, product: product.id), as: nil)
            var dearer = ProductsRPC.Fields()
            dearer.annualRate = Percent("30.00")
            _ = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: product.id, fields: dearer, expectedVersion: nil), as: loans.admin)
            let after = try await loans.operations.ok(
                LoansRPC.Eligibility.self, eligibility("12000.00", months: 12, product: product.id), as: nil)
            #expect(after.maxEligibleAmount < before.maxEligibleAmount, "the new rate, not the cached product")
            var off = ProductsRPC.Fields()
            off.active = false
            _ = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: product.id, fields: off, expectedVersion: nil), as: loans.admin)
            for id in [product.id, UUID()] {
                let refused = try await loans.operations.problem(
                    LoansRPC.Eligibility.self, eligibility("12000.00", months: 12, product: id), as: nil)
                #expect(refused?.status == 422 && refused?.errors?.map(\.field) == ["product_id"])
            }
        }
    }
}
