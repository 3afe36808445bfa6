import Contracts
import Foundation

/// A transparent points scorecard. Each factor adds or takes points, and every adverse factor
/// names a reason code; the total maps to a probability of default through a logistic curve.
/// Weights and cut-offs are configuration (`ANALYSIS_SCORECARD_FILE`, JSON), versioned, and the
/// version goes out with every result. Deterministic: the same input gives the same result.
///
/// Two policy rules of the platform hold whatever the weights: a debt service above 60 % of
/// income is always high risk (at least the decline level, `DTI_TOO_HIGH`); a salaried applicant
/// of two years or more, with no arrears, whose debt service stays under 20 % of income is never
/// declined by the score.
struct Scorecard: Codable, Sendable, Equatable {
    struct Band: Codable, Sendable, Equatable {
        /// The band applies up to and including this value.
        var upTo: Double
        var points: Double
    }

    static let defaultVersion = "2026-11-v1"
    var version = Scorecard.defaultVersion
    /// Debt service (existing debt + new instalment) over income.
    var debtToIncome = [
        Band(upTo: 0.20, points: 120), Band(upTo: 0.35, points: 80), Band(upTo: 0.50, points: 30), Band(upTo: 0.60, points: -20),
    ]
    var debtToIncomeAbove = -200.0
    var salaried = 60.0
    var salariedTenureBonus = 20.0
    var selfEmployed = 30.0
    var retired = 20.0
    var student = -20.0
    var unemployed = -80.0
    var shortTenure = -20.0
    /// Monthly income.
    var income = [Band(upTo: 999.99, points: -40), Band(upTo: 2999.99, points: 0), Band(upTo: 7999.99, points: 20)]
    var incomeAbove = 40.0
    /// Loan amount over a year of income.
    var loanToIncome = [Band(upTo: 0.5, points: 40), Band(upTo: 1, points: 20), Band(upTo: 2, points: 0)]
    var loanToIncomeAbove = -60.0
    var perClosedLoan = 40.0
    var closedLoansCap = 80.0
    var manyActiveLoans = -30.0
    var arrears = -120.0
    var negativeDisposableIncome = -80.0
    /// Bureau score points: (score − centre) / divisor, within ± cap.
    var bureauCentre = 650.0
    var bureauDivisor = 5.0
    var bureauCap = 50.0
    var bureauLow = 550.0
    /// Probability of default = 1 / (1 + e^((points − offset) / scale)).
    var offset = 40.0
    var scale = 60.0
    var declineAt = 0.75
    var reviewAt = 0.40

    struct Applicant: Sendable {
        let finances: FinancialDetails
        let employment: EmploymentDetails?
        let history: ApplicantSnapshot.RepaymentHistory
        let amount: Money
        let instalment: Money
        let bureauScore: Int?
        /// No instalment of an earlier loan here is overdue now.
        let noArrears: Bool
    }

    struct Result: Sendable, Equatable {
        let points: Double
        let probabilityOfDefault: Double
        let score: Int
        let debtToIncome: Double?
        let reasons: [String]
        let recommendation: AnalysisEvents.Recommendation
    }

    func assess(_ applicant: Applicant) -> Result {
        var points = 0.0
        var reasons: [String] = []
        func adverse(_ reason: String, _ value: Double) {
            points += value
            reasons.append(reason)
        }
        let income = Self.double(applicant.finances.monthlyIncome)
        let debtService = Self.double(applicant.finances.existingMonthlyDebt) + Self.double(applicant.instalment)
        let dti = income > 0 ? debtService / income : nil
        if let dti {
            if let band = debtToIncome.first(where: { dti <= $0.upTo }) {
                if band.points < 0 { adverse("DTI_HIGH", band.points) } else { points += band.points }
            } else {
                adverse("DTI_TOO_HIGH", debtToIncomeAbove)
            }
        } else {
            adverse("NO_INCOME", debtToIncomeAbove)
        }
        switch applicant.employment?.employmentType {
        case .salaried?: points += salaried + (applicant.employment!.yearsEmployed >= 2 ? salariedTenureBonus : 0)
        case .selfEmployed?: points += selfEmployed
        case .retired?: points += retired
        case .student?: adverse("STUDENT", student)
        case .unemployed?, nil: adverse("NO_EMPLOYMENT", unemployed)
        }
        if let employment = applicant.employment, [.salaried, .selfEmployed].contains(employment.employmentType),
            employment.yearsEmployed < 1
        {
            adverse("SHORT_EMPLOYMENT", shortTenure)
        }
        if let band = self.income.first(where: { income <= $0.upTo }) {
            if band.points < 0 { adverse("LOW_INCOME", band.points) } else { points += band.points }
        } else {
            points += incomeAbove
        }
        if income > 0 {
            let ratio = Self.double(applicant.amount) / (12 * income)
            if let band = loanToIncome.first(where: { ratio <= $0.upTo }) {
                points += band.points
            } else {
                adverse("LOAN_TO_INCOME_HIGH", loanToIncomeAbove)
            }
        }
        points += min(closedLoansCap, perClosedLoan * Double(applicant.history.closedLoans))
        if applicant.history.previousLoans - applicant.history.closedLoans > 2 { adverse("MANY_ACTIVE_LOANS", manyActiveLoans) }
        if !applicant.noArrears { adverse("ARREARS", arrears) }
        let disposable = income - Self.double(applicant.finances.monthlyExpenses) - debtService
        if disposable < 0 { adverse("INSUFFICIENT_DISPOSABLE_INCOME", negativeDisposableIncome) }
        if let bureau = applicant.bureauScore {
            let bureauPoints = max(-bureauCap, min(bureauCap, (Double(bureau) - bureauCentre) / bureauDivisor))
            if Double(bureau) < bureauLow { adverse("BUREAU_SCORE_LOW", bureauPoints) } else { points += bureauPoints }
        }

        var probability = 1 / (1 + exp((points - offset) / scale))
        // The platform's two policy rules, whatever the weights say.
        if dti.map({ $0 > 0.60 }) ?? true { probability = max(probability, declineAt) }
        if let dti, dti < 0.20, applicant.noArrears, applicant.employment?.employmentType == .salaried,
            (applicant.employment?.yearsEmployed ?? 0) >= 2
        {
            probability = min(probability, declineAt - 0.01)
        }
        probability = (probability * 10_000).rounded() / 10_000
        let recommendation: AnalysisEvents.Recommendation =
            probability >= declineAt ? .decline : probability >= reviewAt ? .review : .approve
        return Result(
            points: points, probabilityOfDefault: probability, score: Int((900 - probability * 600).rounded()),
            debtToIncome: dti.map { ($0 * 10_000).rounded() / 10_000 }, reasons: reasons, recommendation: recommendation)
    }

    /// Money as a number for scoring only: points and probabilities are not money.
    private static func double(_ money: Money) -> Double {
        NSDecimalNumber(decimal: money.decimal).doubleValue
    }
}
