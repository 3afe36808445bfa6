import Contracts
import Foundation

/// The annuity schedule of a loan: equal monthly instalments (EMI), interest on the remaining
/// balance each month, every amount rounded to the cent, and the last instalment absorbing the
/// remainder so that the principal parts sum exactly to the loan. Pure; unit tested.
struct Amortization: Sendable, Equatable {
    struct Instalment: Sendable, Equatable {
        let number: Int
        let payment: Money
        let principal: Money
        let interest: Money
        /// What is still owed after this instalment.
        let balance: Money
    }

    let principal: Money
    let annualRate: Percent
    let termMonths: Int
    let emi: Money
    let instalments: [Instalment]

    var totalInterest: Money { instalments.reduce(Money.zero) { $0 + $1.interest } }
    var totalPayment: Money { instalments.reduce(Money.zero) { $0 + $1.payment } }

    init(principal: Money, annualRate: Percent, termMonths: Int) {
        precondition(termMonths > 0, "a loan has at least one instalment")
        self.principal = principal
        self.annualRate = annualRate
        self.termMonths = termMonths
        let emi = Self.emi(principal: principal, annualRate: annualRate, termMonths: termMonths)
        self.emi = emi
        let monthly = annualRate.monthlyFraction
        var balance = principal
        var instalments: [Instalment] = []
        instalments.reserveCapacity(termMonths)
        for number in 1...termMonths {
            let interest = Money(balance.decimal * monthly)
            let isLast = number == termMonths
            // The last instalment clears the balance whatever rounding left over.
            let principalPart = isLast ? balance : min(balance, emi - interest)
            balance = balance - principalPart
            instalments.append(
                Instalment(
                    number: number, payment: principalPart + interest, principal: principalPart, interest: interest,
                    balance: balance))
        }
        self.instalments = instalments
    }

    /// EMI = P·r·(1+r)^n / ((1+r)^n − 1) with r the monthly rate; P/n when the rate is zero.
    static func emi(principal: Money, annualRate: Percent, termMonths: Int) -> Money {
        let rate = annualRate.monthlyFraction
        guard rate > 0 else { return Money(principal.decimal / Decimal(termMonths)) }
        let growth = pow(1 + rate, termMonths)
        return Money(principal.decimal * rate * growth / (growth - 1))
    }

    /// The largest principal whose EMI fits in `instalment` (the inverse of `emi`), rounded down to the cent.
    static func principal(affordableInstalment instalment: Money, annualRate: Percent, termMonths: Int) -> Money {
        guard instalment.decimal > 0 else { return .zero }
        let rate = annualRate.monthlyFraction
        let value: Decimal
        if rate > 0 {
            let growth = pow(1 + rate, termMonths)
            value = instalment.decimal * (growth - 1) / (rate * growth)
        } else {
            value = instalment.decimal * Decimal(termMonths)
        }
        var exact = value
        var floored = Decimal()
        NSDecimalRound(&floored, &exact, 2, .down)
        return Money(floored)
    }
}
