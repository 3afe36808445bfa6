import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Loans

/// `LoanOperations` on a database of its own: disbursing, repaying, closing early.
@Suite struct LoanOperationsTests {
    @Test func disbursingCreatesTheLoanAndItsWholeSchedule() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan("12000.00", months: 12, for: client)
            #expect(loan.status == .active)
            #expect(loan.principal == Money("12000.00") && loan.outstandingPrincipal == Money("12000.00"))
            #expect(loan.emi == Amortization.emi(principal: Money("12000.00")!, annualRate: Percent("12.00")!, termMonths: 12))
            #expect(loan.outstandingFees == Money("120.00"), "the 1 % processing fee")
            let schedule = try await loans.operations.ok(
                LoanAccountsRPC.Schedule.self, .init(id: loan.id, page: PageRequest(page: 1, pageSize: 100)), as: client)
            #expect(schedule.total == 12)
            #expect(schedule.items.first?.dueDate == loan.disbursedOn.adding(months: 1))
            #expect(schedule.items.last?.balance == .zero)
            #expect(try await loans.outbox().contains(LoansEvents.LoanDisbursed.type))
            let again = try await loans.operations.problem(
                LoanAccountsRPC.Disburse.self, .init(applicationID: loan.applicationID), as: loans.admin)
            #expect(again?.status == 409)
        }
    }

    @Test func onlyAnApprovedApplicationIsDisbursedAndOnlyByAnAdmin() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: try await loans.product())
            #expect(
                try await loans.operations.problem(LoanAccountsRPC.Disburse.self, .init(applicationID: application.id), as: client)?.status
                    == 403)
            #expect(
                try await loans.operations.problem(LoanAccountsRPC.Disburse.self, .init(applicationID: application.id), as: loans.admin)?
                    .status == 409)
            #expect(try await loans.database.count("loans") == 0)
        }
    }

    @Test func aPaymentGoesToFeesThenInterestThenPrincipal() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan("12000.00", months: 12, for: client)
            let payment = try await loans.operations.ok(
                LoanAccountsRPC.Pay.self, .init(loanID: loan.id, amount: Money("500.00")!, reference: "first"), as: client)
            // 120.00 of fees, then the first month's interest (1 % of 12,000), then principal.
            #expect(payment.allocation == .init(fees: Money("120.00")!, interest: Money("120.00")!, principal: Money("260.00")!))
            #expect(payment.outstandingPrincipal == Money("11740.00"))
            let read = try await loans.operations.ok(LoanAccountsRPC.Get.self, .init(id: loan.id), as: client)
            #expect(read.outstandingFees == .zero && read.outstandingPrincipal == Money("11740.00"))
        }
    }

    @Test func aPaymentOverWhatIsOwedOrOnSomeoneElsesLoanChangesNothing() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan("2000.00", months: 6, for: client)
            let tooMuch = try await loans.operations.problem(
                LoanAccountsRPC.Pay.self, .init(loanID: loan.id, amount: Money("9000.00")!, reference: "x"), as: client)
            #expect(tooMuch?.status == 422 && tooMuch?.errors?.map(\.field) == ["amount"])
            let stranger = try await loans.operations.problem(
                LoanAccountsRPC.Pay.self, .init(loanID: loan.id, amount: Money("10.00")!, reference: "x"), as: try await loans.client())
            #expect(stranger?.status == 404)
            #expect(try await loans.database.count("payments") == 0)
        }
    }

    @Test func aRetriedPaymentWithItsKeyIsRecordedOnce() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan(for: client)
            let pay = LoanAccountsRPC.Pay.Request(loanID: loan.id, amount: Money("100.00")!, reference: "retry")
            let first = try await loans.operations.call(LoanAccountsRPC.Pay.self, pay, as: client, idempotencyKey: "client:pay-1")
            let again = try await loans.operations.call(LoanAccountsRPC.Pay.self, pay, as: client, idempotencyKey: "client:pay-1")
            #expect(try first.decode(Payment.self).id == again.decode(Payment.self).id)
            #expect(try await loans.database.count("payments") == 1)
        }
    }

    @Test func payingEverythingClosesTheLoanAndItsApplication() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan("1200.00", months: 6, for: client)
            let owed = Money(loan.emi.decimal * 6) + loan.outstandingFees
            let schedule = try await loans.operations.ok(
                LoanAccountsRPC.Schedule.self, .init(id: loan.id, page: PageRequest(page: 1, pageSize: 100)), as: client)
            let total = schedule.items.reduce(loan.outstandingFees) { $0 + $1.payment }
            #expect(abs((total - owed).decimal) <= 0.06, "the schedule adds up to six instalments and the fee")
            _ = try await loans.operations.ok(LoanAccountsRPC.Pay.self, .init(loanID: loan.id, amount: total, reference: "all"), as: client)
            #expect(try await loans.operations.ok(LoanAccountsRPC.Get.self, .init(id: loan.id), as: client).status == .closed)
            let application = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: loan.applicationID), as: client)
            #expect(application.status == .closed)
            let after = try await loans.operations.problem(
                LoanAccountsRPC.Pay.self, .init(loanID: loan.id, amount: Money("1.00")!, reference: "late"), as: client)
            #expect(after?.status == 409)
        }
    }

    @Test func preClosingTakesExactlyTodaysQuote() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan("10000.00", months: 12, for: client)
            let quote = try await loans.operations.ok(LoanAccountsRPC.Quote.self, .init(id: loan.id), as: client)
            #expect(quote.outstandingPrincipal == Money("10000.00"))
            #expect(quote.fee == Money("200.00")! + loan.outstandingFees, "2 % of the principal, and the unpaid processing fee")
            #expect(quote.total == quote.outstandingPrincipal + quote.accruedInterest + quote.fee)
            let wrong = try await loans.operations.problem(
                LoanAccountsRPC.PreClose.self, .init(loanID: loan.id, amount: quote.total - Money("0.01")!, reference: "close"), as: client)
            #expect(wrong?.status == 422)
            let closed = try await loans.operations.ok(
                LoanAccountsRPC.PreClose.self, .init(loanID: loan.id, amount: quote.total, reference: "close"), as: client)
            #expect(closed.status == .closed && closed.outstandingPrincipal == .zero)
            #expect(try await loans.operations.problem(LoanAccountsRPC.Quote.self, .init(id: loan.id), as: client)?.status == 409)
        }
    }

    @Test func aLoanWhoseRowCannotBeReadIsAFaultNotADefault() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let loan = try await loans.loan(for: client)
            // A hand edit the schema allows: interest from "today" would be a wrong figure, quietly.
            try await loans.database.client.query(
                "UPDATE loans SET disbursed_on = 'infinity' WHERE id = \(loan.id)", logger: loans.database.logger)
            #expect(try await loans.operations.call(LoanAccountsRPC.Quote.self, .init(id: loan.id), as: client).status == 500)
            #expect(try await loans.operations.call(LoanAccountsRPC.Get.self, .init(id: loan.id), as: client).status == 500)
        }
    }
}
