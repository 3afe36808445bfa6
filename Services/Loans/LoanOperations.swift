import Contracts
import Foundation
import Persistence
import PostgresNIO
import ServiceKit

/// Disbursement and the loans it creates: the borrower and staff read them, admins disburse.
struct LoanOperations: Sendable {
    static let disbursers: Set<Role> = [.admin, .superAdmin]
    /// How far from today a disbursement may be dated: recording one made weeks ago is common,
    /// one planned further ahead than a month is not a disbursement yet.
    static let disbursementDaysBack = 90
    static let disbursementDaysAhead = 30

    let database: Database
    let applications: ApplicationStore
    let loans: LoanStore
    let lists: ClientLists

    func register(on handlers: inout RPCHandlers) {
        handlers.on(LoanAccountsRPC.Disburse.self) { request, context in try await disburse(request, context) }
        handlers.on(LoanAccountsRPC.List.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            guard caller.role == .client else { return .ok(try await loans.list(customerID: request.customerID, page: request.page)) }
            return .ok(
                try await lists.read(caller.userID, ListKey(kind: "loans", request: request.page)) {
                    try await loans.list(customerID: caller.userID, page: request.page)
                })
        }
        handlers.on(LoanAccountsRPC.Get.self) { request, context in .ok(try await visible(request.id, context)) }
        handlers.on(LoanAccountsRPC.Pay.self) { request, context in try await pay(request, context) }
        handlers.on(LoanAccountsRPC.Quote.self) { request, context in
            let loan = try await visible(request.id, context)
            guard loan.status == .active else { throw Problem.conflict("This loan is closed.", slug: "loan-closed") }
            guard let terms = try await loans.preClosureTerms(loan.id) else { throw Problem.notFound("No such loan.") }
            return .ok(
                PreClosure.quote(
                    instalments: terms.instalments, disbursedOn: terms.disbursedOn, annualRate: terms.rate,
                    prepaymentFeePercent: terms.prepaymentFee, unpaidFees: terms.unpaidFees, today: .today))
        }
        handlers.on(LoanAccountsRPC.PreClose.self) { request, context in try await preClose(request, context) }
        handlers.on(LoanAccountsRPC.Payments.self) { request, context in
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            let loan = try await visible(request.id, context)
            return .ok(try await loans.payments(LoanAccountsRPC.Ledger.Request(loanID: loan.id, page: request.page)))
        }
        handlers.on(LoanAccountsRPC.Ledger.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            var request = request
            if caller.role == .client { request.customerID = caller.userID }
            return .ok(try await loans.payments(request))
        }
        handlers.on(LoanAccountsRPC.LedgerEntry.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            guard let payment = try await loans.payment(request.id), caller.role.isStaff || payment.customerID == caller.userID else {
                throw Problem.notFound("No such payment.")
            }
            return .ok(payment)
        }
        handlers.on(LoanAccountsRPC.Schedule.self) { request, context in
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            let loan = try await visible(request.id, context)
            return .ok(try await loans.schedule(of: loan.id, page: request.page))
        }
    }

    func disburse(_ request: LoanAccountsRPC.Disburse.Request, _ context: RPCContext) async throws -> RPCReply<Loan> {
        let admin = try context.requireRole(Self.disbursers)
        let today = CalendarDate.today
        let date = request.disbursementDate ?? today
        guard date >= today.adding(days: -Self.disbursementDaysBack), date <= today.adding(days: Self.disbursementDaysAhead) else {
            throw Problem.validation(
                field: "disbursement_date", "must be at most \(Self.disbursementDaysBack) days ago and \(Self.disbursementDaysAhead) ahead")
        }
        let loanID = UUID()
        try await database.transaction { connection in
            guard let current = try await applications.lock(request.applicationID, on: connection),
                let terms = try await applications.loanTerms(request.applicationID, on: connection)
            else { throw Problem.notFound("No such application.") }
            guard ApplicationLifecycle.canMove(from: current.status, to: .disbursed) else {
                throw ApplicationLifecycle.refusal(from: current.status, to: .disbursed)
            }
            let schedule = Amortization(principal: terms.amount, annualRate: terms.rate, termMonths: terms.term)
            let fee = Money(terms.amount.decimal * terms.feePercent.decimal / 100)
            guard
                try await loans.insert(
                    id: loanID, applicationID: request.applicationID, customerID: current.customerID, schedule: schedule,
                    disbursedOn: date, fees: fee, on: connection)
            else { throw Problem.conflict("This application already has a loan.", slug: "already-disbursed") }
            _ = try await applications.move(request.applicationID, from: current, to: .disbursed, actor: admin.userID, on: connection)
            try await database.outbox.publish(
                LoansEvents.LoanDisbursed(
                    loanID: loanID, applicationID: request.applicationID, customerID: current.customerID, principal: terms.amount,
                    disbursedOn: date, actorID: admin.userID, occurredAt: Date()), on: connection)
        }
        guard let loan = try await loans.loan(loanID) else { throw Problem.internalError }
        await lists.invalidate(loan.customerID)
        return .created(loan)
    }

    /// A repayment by the borrower (or recorded by an admin), allocated to fees, interest, then
    /// principal; the payment that clears everything closes the loan and its application.
    func pay(_ request: LoanAccountsRPC.Pay.Request, _ context: RPCContext) async throws -> RPCReply<Payment> {
        let caller = try context.requireRole([.client, .admin, .superAdmin])
        let reference = request.reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reference.isEmpty, reference.count <= 100 else {
            throw Problem.validation(field: "reference", "must be 1 to 100 characters")
        }
        guard request.amount > .zero else { throw Problem.validation(field: "amount", "must be more than 0.00") }
        let reply = try await database.transaction(once: context.idempotencyKey) { connection -> RPCReply<Payment> in
            guard let loan = try await loans.lock(request.loanID, on: connection), caller.role.isStaff || loan.customerID == caller.userID
            else {
                throw Problem.notFound("No such loan.")
            }
            guard loan.status == .active else {
                throw Problem.conflict("This loan is closed.", slug: "loan-closed")
            }
            let owed = try await loans.owed(request.loanID, on: connection)
            let total = PaymentAllocation.total(fees: loan.fees, owed: owed)
            guard request.amount <= total else {
                throw Problem.validation(
                    field: "amount", "must be at most \(total), everything still owed (see the pre-closure quote to save interest)")
            }
            let allocation = PaymentAllocation.allocate(request.amount, fees: loan.fees, owed: owed)
            var payment = Payment(
                id: UUID(), loanID: request.loanID, customerID: loan.customerID, amount: request.amount, reference: reference,
                allocation: .init(fees: allocation.fees, interest: allocation.interest, principal: allocation.principal),
                outstandingPrincipal: .zero, createdAt: Date())
            payment.outstandingPrincipal = try await loans.apply(payment, allocation: allocation, receivedBy: caller.userID, on: connection)
            try await announce(payment, customer: loan.customerID, by: caller.userID, on: connection)
            if request.amount == total {
                try await loans.close(request.loanID, on: connection)
                try await closeApplication(of: loan.applicationID, actor: caller.userID, on: connection)
            }
            return .created(payment)
        }
        if let loan = try await loans.loan(request.loanID) { await lists.invalidate(loan.customerID) }
        return reply
    }

    /// Closes a loan early for exactly today's quote.
    func preClose(_ request: LoanAccountsRPC.PreClose.Request, _ context: RPCContext) async throws -> RPCReply<Loan> {
        let caller = try context.requireRole([.client, .admin, .superAdmin])
        let reference = request.reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reference.isEmpty, reference.count <= 100 else {
            throw Problem.validation(field: "reference", "must be 1 to 100 characters")
        }
        try await database.transaction { connection in
            guard let loan = try await loans.lock(request.loanID, on: connection), caller.role.isStaff || loan.customerID == caller.userID,
                let terms = try await loans.preClosureTerms(request.loanID, on: connection)
            else { throw Problem.notFound("No such loan.") }
            guard loan.status == .active else { throw Problem.conflict("This loan is closed.", slug: "loan-closed") }
            let quote = PreClosure.quote(
                instalments: terms.instalments, disbursedOn: terms.disbursedOn, annualRate: terms.rate,
                prepaymentFeePercent: terms.prepaymentFee, unpaidFees: terms.unpaidFees, today: .today)
            guard request.amount == quote.total else {
                throw Problem.validation(field: "amount", "must equal today's pre-closure quote, \(quote.total)")
            }
            let payment = Payment(
                id: UUID(), loanID: request.loanID, customerID: loan.customerID, amount: quote.total, reference: reference,
                allocation: .init(fees: quote.fee, interest: quote.accruedInterest, principal: quote.outstandingPrincipal),
                outstandingPrincipal: .zero, createdAt: Date())
            try await loans.preClose(payment, receivedBy: caller.userID, on: connection)
            try await announce(payment, customer: loan.customerID, by: caller.userID, on: connection)
            try await closeApplication(of: loan.applicationID, actor: caller.userID, on: connection)
        }
        guard let closed = try await loans.loan(request.loanID) else { throw Problem.internalError }
        await lists.invalidate(closed.customerID)
        return .ok(closed)
    }

    private func announce(_ payment: Payment, customer: UUID, by actor: UUID, on connection: PostgresConnection) async throws {
        try await database.outbox.publish(
            LoansEvents.PaymentReceived(
                paymentID: payment.id, loanID: payment.loanID, customerID: customer, amount: payment.amount,
                principal: payment.allocation.principal, outstandingPrincipal: payment.outstandingPrincipal, actorID: actor,
                occurredAt: payment.createdAt), on: connection)
    }

    /// A repaid loan's application ends `closed`.
    private func closeApplication(of applicationID: UUID, actor: UUID, on connection: PostgresConnection) async throws {
        guard let application = try await applications.lock(applicationID, on: connection) else { return }
        _ = try await applications.move(applicationID, from: application, to: .closed, actor: actor, on: connection)
    }

    /// The loan if the caller may see it: its borrower, or staff; anyone else gets 404.
    private func visible(_ id: UUID, _ context: RPCContext) async throws -> Loan {
        let caller = try context.requireRole(Set(Role.allCases))
        guard let loan = try await loans.loan(id), caller.role.isStaff || loan.customerID == caller.userID else {
            throw Problem.notFound("No such loan.")
        }
        return loan
    }
}
