import Foundation

/// The operations `loans` answers: calculators and the product catalogue (so far).
public enum LoansRPC {
    public struct ScheduleLine: Codable, Sendable, Equatable {
        public var number: Int
        public var payment: Money
        public var principal: Money
        public var interest: Money
        public var balance: Money

        public init(number: Int, payment: Money, principal: Money, interest: Money, balance: Money) {
            self.number = number
            self.payment = payment
            self.principal = principal
            self.interest = interest
            self.balance = balance
        }
    }

    public enum EMI: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var principal: Money
            public var annualRate: Percent
            public var termMonths: Int
            public var includeSchedule: Bool?

            public init(principal: Money, annualRate: Percent, termMonths: Int, includeSchedule: Bool? = nil) {
                self.principal = principal
                self.annualRate = annualRate
                self.termMonths = termMonths
                self.includeSchedule = includeSchedule
            }
        }
        public struct Response: Codable, Sendable {
            public var emi: Money
            public var totalInterest: Money
            public var totalPayment: Money
            public var schedule: [ScheduleLine]?

            public init(emi: Money, totalInterest: Money, totalPayment: Money, schedule: [ScheduleLine]?) {
                self.emi = emi
                self.totalInterest = totalInterest
                self.totalPayment = totalPayment
                self.schedule = schedule
            }
        }
        public static let service = ServiceName.loans
        public static let name = "loans.calculators.emi.v1"
    }

    public enum Eligibility: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var monthlyIncome: Money
            public var monthlyExpenses: Money
            public var existingMonthlyDebt: Money
            public var amount: Money
            public var termMonths: Int
            /// The product's rate and limits apply; without one, the default rate and no limits.
            public var productID: UUID?

            public init(
                monthlyIncome: Money, monthlyExpenses: Money, existingMonthlyDebt: Money, amount: Money, termMonths: Int,
                productID: UUID? = nil
            ) {
                self.monthlyIncome = monthlyIncome
                self.monthlyExpenses = monthlyExpenses
                self.existingMonthlyDebt = existingMonthlyDebt
                self.amount = amount
                self.termMonths = termMonths
                self.productID = productID
            }
        }
        public struct Response: Codable, Sendable {
            public var eligible: Bool
            /// Debt service over income with four decimals (`"0.3512"`); null without income.
            public var dti: String?
            public var maxEligibleAmount: Money
            public var reasons: [String]

            public init(eligible: Bool, dti: String?, maxEligibleAmount: Money, reasons: [String]) {
                self.eligible = eligible
                self.dti = dti
                self.maxEligibleAmount = maxEligibleAmount
                self.reasons = reasons
            }
        }
        public static let service = ServiceName.loans
        public static let name = "loans.calculators.eligibility.v1"
    }
}
