import Contracts
import Foundation
import Testing

@testable import Loans

/// How far cent rounding can move the last instalment: up to a cent a month (half for the rounded
/// EMI, half for the rounded interest), each compounding at the loan's rate until the end.
func roundingDrift(monthlyRate r: Double, term n: Int) -> Double {
    let accumulation = r > 0 ? (pow(1 + r, Double(n)) - 1) / r : Double(n)
    return 0.01 * accumulation + 0.01
}

@Suite struct AmortizationTests {
    private func money(_ text: String) -> Money { Money(text)! }
    private func percent(_ text: String) -> Percent { Percent(text)! }

    @Test func theTextbookLoan() {
        let loan = Amortization(principal: money("100000.00"), annualRate: percent("12.00"), termMonths: 12)
        #expect(loan.emi == money("8884.88"))
        #expect(loan.instalments.first?.interest == money("1000.00"))
        #expect(loan.instalments.first?.principal == money("7884.88"))
        #expect(loan.instalments.last?.balance == .zero)
        #expect(loan.totalPayment == loan.principal + loan.totalInterest)
    }

    @Test func aZeroRateLoanSplitsThePrincipalAndTheLastInstalmentTakesTheRemainder() {
        let loan = Amortization(principal: money("1000.00"), annualRate: percent("0"), termMonths: 3)
        #expect(loan.emi == money("333.33"))
        #expect(loan.instalments.map(\.payment) == [money("333.33"), money("333.33"), money("333.34")])
        #expect(loan.totalInterest == .zero)
    }

    @Test func everyScheduleRepaysThePrincipalExactly() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let principal = Money(Decimal(Int.random(in: 100_000...100_000_000, using: &generator)) / 100)
            let rate = Percent(Decimal(Int.random(in: 0...3600, using: &generator)) / 100)
            let term = Int.random(in: 1...360, using: &generator)
            let loan = Amortization(principal: principal, annualRate: rate, termMonths: term)
            let repaid = loan.instalments.reduce(Money.zero) { $0 + $1.principal }
            #expect(repaid == principal, "\(principal) at \(rate) over \(term)")
            #expect(loan.instalments.count == term)
            #expect(loan.instalments.last?.balance == .zero)
            // Where cent rounding, compounded over the term, stays below one instalment (every loan a
            // bank would offer; not, say, 34 % over 28 years), every instalment but the last is the
            // EMI and the last differs by the drift only. Beyond that the balance may reach zero a
            // month early, and the properties above still hold.
            let drift = roundingDrift(monthlyRate: NSDecimalNumber(decimal: rate.monthlyFraction).doubleValue, term: term)
            guard drift < NSDecimalNumber(decimal: loan.emi.decimal).doubleValue, let last = loan.instalments.last else { continue }
            #expect(loan.instalments.dropLast().allSatisfy { $0.payment == loan.emi }, "\(principal) at \(rate) over \(term)")
            let difference = NSDecimalNumber(decimal: abs((last.payment - loan.emi).decimal)).doubleValue
            #expect(difference <= drift, "\(principal) at \(rate) over \(term)")
        }
    }

    @Test func interestMatchesAnIndependentComputation() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let cents = Int.random(in: 100_000...50_000_000, using: &generator)
            let basisPoints = Int.random(in: 1...3000, using: &generator)
            let term = Int.random(in: 6...240, using: &generator)
            let loan = Amortization(
                principal: Money(Decimal(cents) / 100), annualRate: Percent(Decimal(basisPoints) / 100), termMonths: term)
            // Closed form in floating point: total interest = n·EMI − P with the unrounded EMI.
            let p = Double(cents) / 100
            let r = Double(basisPoints) / 100 / 1200
            let emi = p * r / (1 - pow(1 + r, Double(-term)))
            let reference = emi * Double(term) - p
            let computed = NSDecimalNumber(decimal: loan.totalInterest.decimal).doubleValue
            // Each of the n − 1 rounded instalments is off by half a cent at most, the last by the drift.
            let bound = Double(term) * 0.005 + roundingDrift(monthlyRate: r, term: term)
            #expect(abs(computed - reference) <= bound, "\(p) at \(basisPoints)bp over \(term)")
        }
    }

    @Test func theAffordablePrincipalIsTheInverseOfTheEMI() {
        for (instalment, rate, term) in [("1000.00", "12.00", 24), ("250.00", "0", 10), ("3333.33", "7.25", 120)] {
            let principal = Amortization.principal(affordableInstalment: money(instalment), annualRate: percent(rate), termMonths: term)
            #expect(Amortization.emi(principal: principal, annualRate: percent(rate), termMonths: term) <= money(instalment))
            let oneMore = principal + money("1.00")
            #expect(Amortization.emi(principal: oneMore, annualRate: percent(rate), termMonths: term) >= money(instalment))
        }
    }
}

@Suite struct EligibilityTests {
    private func finances(_ income: String, _ expenses: String, _ debt: String) -> Eligibility.Finances {
        Eligibility.Finances(monthlyIncome: Money(income)!, monthlyExpenses: Money(expenses)!, existingMonthlyDebt: Money(debt)!)
    }

    @Test func aModestLoanFits() {
        let assessment = Eligibility.assess(
            finances("5000.00", "1500.00", "300.00"), amount: Money("10000.00")!, termMonths: 24, annualRate: Percent("12.00")!)
        #expect(assessment.eligible)
        #expect(assessment.reasons.isEmpty)
        // (300 + 470.73) / 5000
        #expect(assessment.debtToIncome == Decimal(string: "0.1541"))
        #expect(assessment.maximumEligibleAmount > Money("10000.00")!)
    }

    @Test func tooMuchDebtIsRefusedWithItsReason() {
        let assessment = Eligibility.assess(
            finances("3000.00", "1000.00", "900.00"), amount: Money("20000.00")!, termMonths: 12, annualRate: Percent("10.00")!)
        #expect(!assessment.eligible)
        #expect(assessment.reasons.contains(.debtToIncomeTooHigh))
        #expect(assessment.reasons.contains(.insufficientDisposableIncome))
        // 40 % of 3000 leaves 300 a month for a new instalment.
        let instalment = Amortization.emi(principal: assessment.maximumEligibleAmount, annualRate: Percent("10.00")!, termMonths: 12)
        #expect(instalment <= Money("300.00")!)
    }

    @Test func noIncomeMeansNoLoan() {
        let assessment = Eligibility.assess(
            finances("0.00", "0.00", "0.00"), amount: Money("1000.00")!, termMonths: 12, annualRate: Percent("10.00")!)
        #expect(assessment.reasons.first == .noIncome)
        #expect(assessment.debtToIncome == nil)
        #expect(assessment.maximumEligibleAmount == .zero)
    }

    @Test func productLimitsAreReasonsToo() {
        let limits = Eligibility.Limits(amounts: Money("5000.00")!...Money("50000.00")!, terms: 12...60)
        let assessment = Eligibility.assess(
            finances("9000.00", "1000.00", "0.00"), amount: Money("60000.00")!, termMonths: 6, annualRate: Percent("9.00")!,
            limits: limits)
        #expect(assessment.reasons.contains(.amountOutsideProductLimits))
        #expect(assessment.reasons.contains(.termOutsideProductLimits))
        #expect(assessment.maximumEligibleAmount <= Money("50000.00")!)
    }
}

@Suite struct MoneyTests {
    @Test func amountsAreStringsWithTwoPlaces() throws {
        #expect(Money("25000")?.description == "25000.00")
        #expect(Money("0.5")?.description == "0.50")
        #expect(Money("12.345") == nil)
        #expect(Money("-1.00") == nil)
        #expect(Money("1e5") == nil)
        #expect(Money(" 1.00") == nil)
        #expect(String(decoding: try JSON.encode(Money("7.10")!), as: UTF8.self) == "\"7.10\"")
        #expect(throws: DecodingError.self) { try JSON.decode(Money.self, from: Array("25000.5".utf8)) }
        #expect(Percent("100.01") == nil)
        #expect(Percent("11.5")?.description == "11.50")
    }
}

@Suite struct CustomerRulesTests {
    let today = CalendarDate("2026-06-15")!

    private func profile(born: String, phone: String = "+14155550123", address: String = "1 Main St") -> PersonalDetails {
        PersonalDetails(fullName: "A B", phone: phone, dateOfBirth: CalendarDate(born)!, address: address)
    }

    @Test func applicantsAreAdultsOnTheirBirthday() {
        #expect(CustomerRules.problems(profile(born: "2008-06-15"), today: today).isEmpty)
        #expect(CustomerRules.problems(profile(born: "2008-06-16"), today: today).map(\.field) == ["date_of_birth"])
        #expect(CustomerRules.problems(profile(born: "1890-01-01"), today: today).map(\.field) == ["date_of_birth"])
    }

    @Test func addressesAreOneLine() {
        #expect(
            CustomerRules.problems(profile(born: "1990-01-01", address: "1 Main St\nSpringfield"), today: today).map(\.field) == ["address"]
        )
    }

    @Test func onlyWorkersHaveYearsEmployedAndSalariedOnesAnEmployer() {
        #expect(CustomerRules.problems(EmploymentDetails(employmentType: .student, yearsEmployed: 2)).map(\.field) == ["years_employed"])
        #expect(CustomerRules.problems(EmploymentDetails(employmentType: .salaried, yearsEmployed: 2)).map(\.field) == ["employer"])
        #expect(CustomerRules.problems(EmploymentDetails(employmentType: .selfEmployed, yearsEmployed: 4)).isEmpty)
    }

    @Test func calendarDatesAreRealDays() {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(CalendarDate("2023-2-28") == nil)
        #expect(CalendarDate("2024-01-31")!.adding(months: 1).description == "2024-02-29")
    }
}

@Suite struct ApplicationLifecycleTests {
    @Test func theHappyPathIsAllowedStepByStep() {
        let path: [ApplicationStatus] = [
            .submitted, .underAnalysis, .pendingApproval, .documentsRequested, .pendingApproval, .approved, .disbursed, .closed,
        ]
        for (current, next) in zip(path, path.dropFirst()) {
            #expect(ApplicationLifecycle.canMove(from: current, to: next), "\(current) → \(next)")
        }
    }

    @Test func endsAreFinalAndWithdrawingStopsAtApproval() {
        for end in [ApplicationStatus.rejected, .withdrawn, .closed] {
            #expect(ApplicationStatus.allCases.allSatisfy { !ApplicationLifecycle.canMove(from: end, to: $0) })
        }
        #expect(!ApplicationLifecycle.canMove(from: .approved, to: .withdrawn))
        #expect(!ApplicationLifecycle.canMove(from: .submitted, to: .approved))
        #expect(ApplicationLifecycle.refusal(from: .approved, to: .withdrawn).status == 409)
    }

    @Test func numberedEventsApplyInTheOrderApprovalsMadeThem() {
        // The auto-decline that overtook "analysis started" on the bus (the timeline lost
        // under_analysis): number 2 waits for number 1, whatever the states say.
        #expect(ApplicationLifecycle.arrival(of: .rejected, numbered: 2, at: .submitted, applied: 0) == .early)
        #expect(ApplicationLifecycle.arrival(of: .underAnalysis, numbered: 1, at: .submitted, applied: 0) == .inOrder)
        #expect(ApplicationLifecycle.arrival(of: .rejected, numbered: 2, at: .underAnalysis, applied: 1) == .inOrder)
        // A second round of documents comes after the first, not before.
        #expect(ApplicationLifecycle.arrival(of: .documentsRequested, numbered: 5, at: .pendingApproval, applied: 3) == .early)
        #expect(ApplicationLifecycle.arrival(of: .documentsRequested, numbered: 3, at: .pendingApproval, applied: 3) == .stale)
        #expect(ApplicationLifecycle.arrival(of: .pendingApproval, numbered: 2, at: .rejected, applied: 4) == .stale)
    }

    @Test func anUnnumberedEventIsEarlyOnlyWhenItsStateCannotBeReachedYet() {
        #expect(ApplicationLifecycle.arrival(of: .pendingApproval, numbered: nil, at: .submitted, applied: 0) == .early)
        #expect(ApplicationLifecycle.arrival(of: .underAnalysis, numbered: nil, at: .submitted, applied: 0) == .inOrder)
        #expect(ApplicationLifecycle.arrival(of: .approved, numbered: nil, at: .rejected, applied: 0) == .inOrder)
        #expect(ApplicationLifecycle.arrival(of: .pendingApproval, numbered: nil, at: .documentsRequested, applied: 0) == .inOrder)
    }
}

@Suite struct PaymentAllocationTests {
    private func m(_ text: String) -> Money { Money(text)! }
    private var owed: [PaymentAllocation.Owed] {
        [.init(number: 1, interest: m("100.00"), principal: m("400.00")), .init(number: 2, interest: m("96.00"), principal: m("404.00"))]
    }

    @Test func feesComeFirstThenInterestThenPrincipal() {
        let result = PaymentAllocation.allocate(m("150.00"), fees: m("20.00"), owed: owed)
        #expect(result.fees == m("20.00"))
        #expect(result.interest == m("100.00"))
        #expect(result.principal == m("30.00"))
        #expect(result.settled[1]?.principal == m("30.00"))
        #expect(result.settled[2] == nil)
    }

    @Test func anOverpaymentSettlesTheNextInstalment() {
        let result = PaymentAllocation.allocate(m("600.00"), fees: .zero, owed: owed)
        #expect(result.settled[1]?.interest == m("100.00"))
        #expect(result.settled[1]?.principal == m("400.00"))
        #expect(result.settled[2]?.interest == m("96.00"))
        #expect(result.settled[2]?.principal == m("4.00"))
        #expect(result.interest + result.principal + result.fees == m("600.00"))
    }

    @Test func theTotalIsEverythingOwed() {
        #expect(PaymentAllocation.total(fees: m("20.00"), owed: owed) == m("1020.00"))
        let all = PaymentAllocation.allocate(m("1020.00"), fees: m("20.00"), owed: owed)
        #expect(all.principal == m("804.00"))
    }
}

@Suite struct PreClosureTests {
    private func m(_ text: String) -> Money { Money(text)! }

    @Test func interestAccruesByTheDaySinceTheLastDueDate() {
        let instalments = [
            PreClosure.Instalment(dueDate: CalendarDate("2026-02-01")!, unpaidInterest: .zero, unpaidPrincipal: .zero),
            PreClosure.Instalment(dueDate: CalendarDate("2026-03-01")!, unpaidInterest: m("50.00"), unpaidPrincipal: m("450.00")),
            PreClosure.Instalment(dueDate: CalendarDate("2026-04-01")!, unpaidInterest: m("45.00"), unpaidPrincipal: m("9550.00")),
        ]
        let quote = PreClosure.quote(
            instalments: instalments, disbursedOn: CalendarDate("2026-01-01")!, annualRate: Percent("12.00")!,
            prepaymentFeePercent: Percent("2.00")!, unpaidFees: m("10.00"), today: CalendarDate("2026-03-11")!)
        #expect(quote.outstandingPrincipal == m("10000.00"))
        // 50.00 overdue interest, plus 10 days on 10,000 at 12 %: 32.88.
        #expect(quote.accruedInterest == m("82.88"))
        #expect(quote.fee == m("210.00"))
        #expect(quote.total == m("10292.88"))
    }
}
