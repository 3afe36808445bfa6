import Contracts
import Foundation
import Hummingbird

/// `/api/v1/applications/{id}/disburse`, `/api/v1/loans` and `/api/v1/payments`.
struct LoanController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    struct Disbursement: Codable {
        let disbursementDate: CalendarDate?
    }

    struct PaymentBody: Codable, Sendable {
        let amount: Money
        let reference: String
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("applications/:id/disburse", use: disburse)
        routes.get("loans", use: list)
        routes.get("loans/:id", use: loan)
        routes.post("loans/:id/payments", use: pay)
        routes.get("loans/:id/payments", use: payments)
        routes.get("loans/:id/schedule", use: schedule)
        routes.get("loans/:id/pre-closure-quote", use: quote)
        routes.post("loans/:id/pre-close", use: preClose)
        routes.get("payments", use: ledger)
        routes.get("payments/:id", use: payment)
        return routes
    }

    @Sendable func disburse(_ request: Request, context: SignedIn) async throws -> Response {
        // The body is optional: without one the loan is disbursed today.
        let date =
            request.headers[.contentType] == nil ? nil : try await support.body.json(Disbursement.self, from: request).disbursementDate
        let disburse = LoanAccountsRPC.Disburse.Request(
            applicationID: try RouteSupport.pathID(context, "application"), disbursementDate: date)
        return try await forwarder.forward(LoanAccountsRPC.Disburse.self, disburse, context: context)
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        let customerID = try Query(request: request).uuid("customer_id")
        return try await support.list(LoanAccountsRPC.List.self, request, context, csv: .loans) { page in
            LoanAccountsRPC.List.Request(customerID: customerID, page: page)
        }
    }

    @Sendable func loan(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(LoanAccountsRPC.Get.self, .init(id: try RouteSupport.pathID(context, "loan")), context: context)
    }

    @Sendable func pay(_ request: Request, context: SignedIn) async throws -> Response {
        let loanID = try RouteSupport.pathID(context, "loan")
        return try await support.create(LoanAccountsRPC.Pay.self, request, context, body: PaymentBody.self) {
            LoanAccountsRPC.Pay.Request(loanID: loanID, amount: $0.amount, reference: $0.reference)
        }
    }

    @Sendable func payments(_ request: Request, context: SignedIn) async throws -> Response {
        let payments = LoanAccountsRPC.Payments.Request(
            id: try RouteSupport.pathID(context, "loan"), page: try Query(request: request).page())
        return try await forwarder.forwardList(LoanAccountsRPC.Payments.self, payments, context: context)
    }

    @Sendable func schedule(_ request: Request, context: SignedIn) async throws -> Response {
        let schedule = LoanAccountsRPC.Schedule.Request(
            id: try RouteSupport.pathID(context, "loan"), page: try Query(request: request).page())
        return try await forwarder.forwardList(LoanAccountsRPC.Schedule.self, schedule, context: context)
    }

    @Sendable func quote(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(LoanAccountsRPC.Quote.self, .init(id: try RouteSupport.pathID(context, "loan")), context: context)
    }

    @Sendable func preClose(_ request: Request, context: SignedIn) async throws -> Response {
        let body = try await support.body.json(PaymentBody.self, from: request)
        let preClose = LoanAccountsRPC.PreClose.Request(
            loanID: try RouteSupport.pathID(context, "loan"), amount: body.amount, reference: body.reference)
        return try await forwarder.forward(LoanAccountsRPC.PreClose.self, preClose, context: context)
    }

    @Sendable func ledger(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let filter = LoanAccountsRPC.Ledger.Request(
            loanID: try query.uuid("loan_id"), customerID: try query.uuid("customer_id"), from: try query.date("from"),
            to: try query.date("to"))
        return try await support.list(LoanAccountsRPC.Ledger.self, request, context, csv: .payments) { page in
            var ledger = filter
            ledger.page = page
            return ledger
        }
    }

    @Sendable func payment(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(
            LoanAccountsRPC.LedgerEntry.self, .init(id: try RouteSupport.pathID(context, "payment")), context: context)
    }
}
