import Contracts
import Foundation
import Hummingbird

/// `/api/v1/applications/{id}/disburse` and `/api/v1/loans`.
struct LoanRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    private struct Disbursement: Codable {
        let disbursementDate: CalendarDate?
    }

    private struct PaymentBody: Codable, Sendable {
        let amount: Money
        let reference: String
    }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("applications/:id/disburse") { request, context in
            let context = try await support.signedIn(request, context)
            // The body is optional: without one the loan is disbursed today.
            let date =
                request.headers[.contentType] == nil ? nil : try await support.body.json(Disbursement.self, from: request).disbursementDate
            let disburse = LoanAccountsRPC.Disburse.Request(
                applicationID: try RouteSupport.pathID(context, "application"), disbursementDate: date)
            return try await forwarder.forward(LoanAccountsRPC.Disburse.self, disburse, context: context)
        }
        api.get("loans") { request, context in
            let context = try await support.signedIn(request, context)
            let customerID = try Query(request: request).uuid("customer_id")
            return try await support.list(LoanAccountsRPC.List.self, request, context, csv: .loans) { page in
                LoanAccountsRPC.List.Request(customerID: customerID, page: page)
            }
        }
        api.get("payments") { request, context in
            let context = try await support.signedIn(request, context)
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
        api.get("payments/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(
                LoanAccountsRPC.LedgerEntry.self, .init(id: try RouteSupport.pathID(context, "payment")), context: context)
        }
        api.get("loans/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(
                LoanAccountsRPC.Get.self, .init(id: try RouteSupport.pathID(context, "loan")), context: context)
        }
        api.post("loans/:id/payments") { request, context in
            let context = try await support.signedIn(request, context)
            let loanID = try RouteSupport.pathID(context, "loan")
            return try await support.create(LoanAccountsRPC.Pay.self, request, context, body: PaymentBody.self) {
                LoanAccountsRPC.Pay.Request(loanID: loanID, amount: $0.amount, reference: $0.reference)
            }
        }
        api.get("loans/:id/pre-closure-quote") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(
                LoanAccountsRPC.Quote.self, .init(id: try RouteSupport.pathID(context, "loan")), context: context)
        }
        api.post("loans/:id/pre-close") { request, context in
            let context = try await support.signedIn(request, context)
            let body = try await support.body.json(PaymentBody.self, from: request)
            let preClose = LoanAccountsRPC.PreClose.Request(
                loanID: try RouteSupport.pathID(context, "loan"), amount: body.amount, reference: body.reference)
            return try await forwarder.forward(LoanAccountsRPC.PreClose.self, preClose, context: context)
        }
        api.get("loans/:id/payments") { request, context in
            let context = try await support.signedIn(request, context)
            let payments = LoanAccountsRPC.Payments.Request(
                id: try RouteSupport.pathID(context, "loan"), page: try Query(request: request).page())
            return try await forwarder.forwardList(LoanAccountsRPC.Payments.self, payments, context: context)
        }
        api.get("loans/:id/schedule") { request, context in
            let context = try await support.signedIn(request, context)
            let schedule = LoanAccountsRPC.Schedule.Request(
                id: try RouteSupport.pathID(context, "loan"), page: try Query(request: request).page())
            return try await forwarder.forwardList(LoanAccountsRPC.Schedule.self, schedule, context: context)
        }
    }
}
