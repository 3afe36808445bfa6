import Contracts
import Foundation

/// The price of closing a loan today. Pure; unit tested.
enum PreClosure {
    struct Instalment: Sendable {
        let dueDate: CalendarDate
        let unpaidInterest: Money
        let unpaidPrincipal: Money
    }

    static func quote(
        instalments: [Instalment], disbursedOn: CalendarDate, annualRate: Percent, prepaymentFeePercent: Percent,
        unpaidFees: Money, today: CalendarDate
    ) -> PreClosureQuote {
        let outstanding = instalments.reduce(Money.zero) { $0 + $1.unpaidPrincipal }
        let due = instalments.filter { $0.dueDate <= today }
        let overdueInterest = due.reduce(Money.zero) { $0 + $1.unpaidInterest }
        let since = due.map(\.dueDate).max() ?? disbursedOn
        let days = Decimal(max(0, daysBetween(since, today)))
        let running = Money(outstanding.decimal * annualRate.decimal / 100 * days / 365)
        let fee = Money(outstanding.decimal * prepaymentFeePercent.decimal / 100) + unpaidFees
        let accrued = overdueInterest + running
        return PreClosureQuote(
            outstandingPrincipal: outstanding, accruedInterest: accrued, fee: fee, total: outstanding + accrued + fee, validUntil: today)
    }

    static func daysBetween(_ start: CalendarDate, _ end: CalendarDate) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let from = calendar.date(from: DateComponents(year: start.year, month: start.month, day: start.day))!
        let to = calendar.date(from: DateComponents(year: end.year, month: end.month, day: end.day))!
        return calendar.dateComponents([.day], from: from, to: to).day ?? 0
    }
}
