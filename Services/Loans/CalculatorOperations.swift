import Contracts
import Foundation
import ServiceKit

/// `POST /calculators/emi` and `POST /eligibility/check`, open to anyone.
struct CalculatorOperations: Sendable {
    /// The rate assumed when no product is named.
    static let defaultAnnualRate = Percent(Decimal(12))
    static let terms = 1...600
    static let largestAmount = Money(Decimal(1_000_000_000))

    let products: ProductCatalogue

    func register(on handlers: inout RPCHandlers) {
        handlers.on(LoansRPC.EMI.self) { request, _ in try emi(request) }
        handlers.on(LoansRPC.Eligibility.self) { request, _ in try await eligibility(request) }
    }

    func emi(_ request: LoansRPC.EMI.Request) throws -> RPCReply<LoansRPC.EMI.Response> {
        var problems = Self.amountProblems(request.principal, field: "principal")
        problems += Self.termProblems(request.termMonths)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let loan = Amortization(principal: request.principal, annualRate: request.annualRate, termMonths: request.termMonths)
        let schedule =
            request.includeSchedule == true
            ? loan.instalments.map {
                LoansRPC.ScheduleLine(
                    number: $0.number, payment: $0.payment, principal: $0.principal, interest: $0.interest, balance: $0.balance)
            }
            : nil
        return .ok(.init(emi: loan.emi, totalInterest: loan.totalInterest, totalPayment: loan.totalPayment, schedule: schedule))
    }

    func eligibility(_ request: LoansRPC.Eligibility.Request) async throws -> RPCReply<LoansRPC.Eligibility.Response> {
        var problems = Self.amountProblems(request.amount, field: "amount") + Self.termProblems(request.termMonths)
        if request.monthlyIncome > Self.largestAmount {
            problems.append(.init(field: "monthly_income", message: "is too large"))
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        var rate = Self.defaultAnnualRate
        var limits: Eligibility.Limits?
        if let id = request.productID {
            guard let product = try await products.product(id: id), product.active else {
                throw Problem.validation(field: "product_id", "is not an active product")
            }
            rate = product.annualRate
            limits = Eligibility.Limits(
                amounts: product.minAmount...product.maxAmount, terms: product.minTermMonths...product.maxTermMonths)
        }
        let assessment = Eligibility.assess(
            Eligibility.Finances(
                monthlyIncome: request.monthlyIncome, monthlyExpenses: request.monthlyExpenses,
                existingMonthlyDebt: request.existingMonthlyDebt),
            amount: request.amount, termMonths: request.termMonths, annualRate: rate, limits: limits)
        return .ok(
            .init(
                eligible: assessment.eligible, dti: assessment.debtToIncome.map { Money.format($0, places: 4) },
                maxEligibleAmount: assessment.maximumEligibleAmount, reasons: assessment.reasons.map(\.rawValue)))
    }

    static func amountProblems(_ amount: Money, field: String) -> [Problem.FieldError] {
        guard amount > .zero, amount <= largestAmount else {
            return [.init(field: field, message: "must be more than 0.00 and at most \(largestAmount)")]
        }
        return []
    }

    static func termProblems(_ term: Int, field: String = "term_months") -> [Problem.FieldError] {
        terms.contains(term) ? [] : [.init(field: field, message: "must be between \(terms.lowerBound) and \(terms.upperBound)")]
    }
}
