import Contracts
import Foundation
import Testing

@testable import AnalysisWorker

@Suite struct AnalystTests {
    let request = AnalysisEvents.Requested(
        applicationID: UUID(), customerID: UUID(), amount: Money("10000.00")!, termMonths: 24, annualRate: Percent("12.00")!,
        instalment: Money("470.00")!,
        snapshot: ApplicantSnapshot(
            dateOfBirth: CalendarDate("1985-05-05")!,
            financial: FinancialDetails(
                monthlyIncome: Money("6000.00")!, monthlyExpenses: Money("1000.00")!, existingMonthlyDebt: Money("0.00")!),
            employment: EmploymentDetails(employmentType: .selfEmployed, employer: "Own", yearsEmployed: 3),
            repaymentHistory: .init(previousLoans: 0, closedLoans: 0, overdueInstalments: 0)),
        requestedAt: Date())

    @Test func withoutABureauScoreTheResultSaysSo() {
        let result = Analyst.completed(request, by: Scorecard(), bureauScore: nil)
        #expect(!result.bureauUsed)
        #expect(!result.reasonCodes.contains("BUREAU_SCORE_LOW"))
    }

    @Test func aBureauScoreIsScoredAndReported() {
        let withoutBureau = Analyst.completed(request, by: Scorecard(), bureauScore: nil)
        let good = Analyst.completed(request, by: Scorecard(), bureauScore: 850)
        let poor = Analyst.completed(request, by: Scorecard(), bureauScore: 400)
        #expect(good.bureauUsed && poor.bureauUsed)
        #expect(good.score > withoutBureau.score)
        #expect(poor.score < withoutBureau.score)
        #expect(poor.reasonCodes.contains("BUREAU_SCORE_LOW"))
    }
}
