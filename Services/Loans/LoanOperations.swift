import Contracts
import Foundation
import Persistence
import ServiceKit

/// Disbursement and the loans it creates: the borrower and staff read them, admins disburse.
struct LoanOperations: Sendable {
    static let disbursers: Set<Role> = [.admin, .superAdmin]
    /// How far from today a disbursement may be dated.
    static let disbursementWindowDays = 30

    let database: Database
    let applications: ApplicationStore
    let loans: LoanStore

    func register(on handlers: inout RPCHandlers) {
        handlers.on(LoanAccountsRPC.Disburse.self) { request, context in try await disburse(request, context) }
        handlers.on(LoanAccountsRPC.List.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            return .ok(try await loans.list(customerID: caller.role == .client ? caller.userID : request.customerID, page: request.page))
        }
        handlers.on(LoanAccountsRPC.Get.self) { request, context in .ok(try await visible(request.id, context)) }
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
        guard date >= today.adding(days: -Self.disbursementWindowDays), date <= today.adding(days: Self.disbursementWindowDays) else {
            throw Problem.validation(field: "disbursement_date", "must be within \(Self.disbursementWindowDays) days of today")
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
            guard try await loans.insert(
                id: loanID, applicationID: request.applicationID, customerID: current.customerID, schedule: schedule,
                disbursedOn: date, fees: fee, on: connection)
            else { throw Problem.conflict("This application already has a loan.", slug: "already-disbursed") }
            _ = try await applications.move(request.applicationID, to: .disbursed, atVersion: current.version, actor: admin.userID, on: connection)
            try await database.outbox.publish(
                LoansEvents.ApplicationStatusChanged(
                    applicationID: request.applicationID, customerID: current.customerID, from: current.status, to: .disbursed,
                    actorID: admin.userID, occurredAt: Date()), on: connection)
            try await database.outbox.publish(
                LoansEvents.LoanDisbursed(
                    loanID: loanID, applicationID: request.applicationID, customerID: current.customerID, principal: terms.amount,
                    disbursedOn: date, actorID: admin.userID, occurredAt: Date()), on: connection)
        }
        guard let loan = try await loans.loan(loanID) else { throw Problem.internalError }
        return .created(loan)
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
