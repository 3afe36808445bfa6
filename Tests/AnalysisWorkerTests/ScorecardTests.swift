import Contracts
import Foundation
import Testing

@testable import AnalysisWorker

@Suite struct ScorecardTests {
    let scorecard = Scorecard()

    private func applicant(
        income: String, expenses: String = "500.00", debt: String = "0.00", instalment: String, amount: String = "10000.00",
        employment: EmploymentDetails? = EmploymentDetails(employmentType: .salaried, employer: "Acme", yearsEmployed: 3),
        previous: Int = 0, closed: Int = 0, noArrears: Bool = true, bureau: Int? = nil
    ) -> Scorecard.Applicant {
        Scorecard.Applicant(
            finances: FinancialDetails(monthlyIncome: Money(income)!, monthlyExpenses: Money(expenses)!, existingMonthlyDebt: Money(debt)!),
            employment: employment, history: .init(previousLoans: previous, closedLoans: closed), amount: Money(amount)!,
            instalment: Money(instalment)!, bureauScore: bureau, noArrears: noArrears)
    }

    @Test func debtServiceAboveSixtyPercentIsAlwaysHighRisk() {
        // Even with everything else in the applicant's favour.
        let result = scorecard.assess(applicant(income: "10000.00", debt: "3000.00", instalment: "3100.00", closed: 2, bureau: 900))
        #expect(result.probabilityOfDefault >= 0.75)
        #expect(result.reasons.contains("DTI_TOO_HIGH"))
        #expect(result.recommendation == .decline)
    }

    @Test(arguments: [0, 2])
    func aSteadySalariedApplicantWithLowDebtIsNeverDeclined(earlierLoans: Int) {
        // Low income, a large loan for it and expenses above income: the score is poor, but the rule holds.
        let result = scorecard.assess(
            applicant(
                income: "900.00", expenses: "1200.00", instalment: "170.00", amount: "40000.00", previous: earlierLoans,
                closed: earlierLoans,
                bureau: 300))
        #expect(result.probabilityOfDefault < 0.75)
        #expect(result.recommendation != .decline)
    }

    @Test func everyAdverseFactorNamesItsReason() {
        let result = scorecard.assess(
            applicant(
                income: "800.00", expenses: "900.00", debt: "200.00", instalment: "250.00", amount: "30000.00",
                employment: EmploymentDetails(employmentType: .student, yearsEmployed: 0), previous: 4, closed: 0, noArrears: false,
                bureau: 500))
        for reason in [
            "DTI_HIGH", "STUDENT", "LOW_INCOME", "LOAN_TO_INCOME_HIGH", "MANY_ACTIVE_LOANS", "ARREARS", "INSUFFICIENT_DISPOSABLE_INCOME",
            "BUREAU_SCORE_LOW",
        ] {
            #expect(result.reasons.contains(reason), "\(reason)")
        }
        #expect(result.recommendation == .decline)
    }

    @Test func aGoodApplicantIsRecommendedAndScoresHigh() {
        let result = scorecard.assess(applicant(income: "6000.00", instalment: "470.00", closed: 1))
        #expect(result.recommendation == .approve)
        #expect(result.reasons.isEmpty)
        #expect(result.score > 750 && result.score <= 900)
    }

    @Test func theSameInputGivesTheSameResult() {
        let input = applicant(income: "4200.00", debt: "300.00", instalment: "600.00")
        #expect(scorecard.assess(input) == scorecard.assess(input))
        #expect((300...900).contains(scorecard.assess(input).score))
    }

    @Test func theScorecardIsConfigurationWithAVersion() throws {
        var stricter = Scorecard()
        stricter.version = "test-strict"
        stricter.offset = 400  // the same points now mean a far higher probability of default
        let decoded = try JSONDecoder().decode(Scorecard.self, from: JSONEncoder().encode(stricter))
        #expect(decoded == stricter)
        let input = applicant(income: "3000.00", debt: "400.00", instalment: "500.00")
        #expect(Scorecard().assess(input).recommendation != .decline)
        #expect(stricter.assess(input).recommendation == .decline)
    }
}
