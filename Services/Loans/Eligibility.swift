import Contracts
import Foundation

/// Whether a loan fits an applicant's declared finances. Pure; unit tested.
///
/// Debt-to-income counts the new instalment with the existing debt: at most 40 % of income, and
/// what remains after expenses, debts and the new instalment must not be negative. The maximum
/// eligible amount is the principal whose instalment uses up the tighter of the two limits.
enum Eligibility {
    static let maximumDebtToIncome: Decimal = 0.40

    enum Reason: String, Codable, Sendable {
        case noIncome = "NO_INCOME"
        case debtToIncomeTooHigh = "DTI_TOO_HIGH"
        case insufficientDisposableIncome = "INSUFFICIENT_DISPOSABLE_INCOME"
        case amountOutsideProductLimits = "AMOUNT_OUTSIDE_PRODUCT_LIMITS"
        case termOutsideProductLimits = "TERM_OUTSIDE_PRODUCT_LIMITS"
    }

    struct Finances: Sendable {
        let monthlyIncome: Money
        let monthlyExpenses: Money
        let existingMonthlyDebt: Money
    }

    struct Limits: Sendable {
        let amounts: ClosedRange<Money>
        let terms: ClosedRange<Int>
    }

    struct Assessment: Sendable, Equatable {
        let eligible: Bool
        /// (existing debt + new instalment) / income, to four places; nil without income.
        let debtToIncome: Decimal?
        let maximumEligibleAmount: Money
        let reasons: [Reason]
    }

    static func assess(
        _ finances: Finances, amount: Money, termMonths: Int, annualRate: Percent, limits: Limits? = nil
    ) -> Assessment {
        var reasons: [Reason] = []
        let income = finances.monthlyIncome.decimal
        let instalment = Amortization.emi(principal: amount, annualRate: annualRate, termMonths: termMonths)
        let debtService = finances.existingMonthlyDebt.decimal + instalment.decimal
        let debtToIncome = income > 0 ? (debtService / income).rounded(scale: 4) : nil
        if income <= 0 {
            reasons.append(.noIncome)
        } else if let debtToIncome, debtToIncome > maximumDebtToIncome {
            reasons.append(.debtToIncomeTooHigh)
        }
        if income - finances.monthlyExpenses.decimal - debtService < 0 {
            reasons.append(.insufficientDisposableIncome)
        }
        if let limits {
            if !limits.amounts.contains(amount) { reasons.append(.amountOutsideProductLimits) }
            if !limits.terms.contains(termMonths) { reasons.append(.termOutsideProductLimits) }
        }
        let affordable = min(
            income * maximumDebtToIncome - finances.existingMonthlyDebt.decimal,
            income - finances.monthlyExpenses.decimal - finances.existingMonthlyDebt.decimal)
        var maximum = Amortization.principal(
            affordableInstalment: Money(max(0, affordable)), annualRate: annualRate, termMonths: termMonths)
        if let limits { maximum = min(maximum, limits.amounts.upperBound) }
        return Assessment(
            eligible: reasons.isEmpty, debtToIncome: debtToIncome, maximumEligibleAmount: maximum, reasons: reasons)
    }
}
