import Contracts
import Foundation
import Persistence
import ServiceKit

/// Credit requests: clients submit, follow and withdraw their own; staff see them all.
struct ApplicationOperations: Sendable {
    let database: Database
    let store: ApplicationStore
    let customers: CustomerStore
    let products: ProductCatalogue
    let lists: ClientLists
    let intake: IntakeGate

    func register(on handlers: inout RPCHandlers) {
        handlers.on(ApplicationsRPC.Submit.self) { request, context in try await submit(request, context) }
        handlers.on(ApplicationsRPC.List.self) { request, context in try await list(request, context) }
        handlers.on(ApplicationsRPC.Get.self) { request, context in .ok(try await visible(request.id, context)) }
        handlers.on(ApplicationsRPC.Withdraw.self) { request, context in try await withdraw(request.id, context) }
        handlers.on(ApplicationsRPC.Summaries.self) { request, context in
            _ = try context.requireRole(CustomerOperations.staff)
            if !request.problems.isEmpty { throw Problem.validation(request.problems) }
            return .ok(BatchAnswer(items: try await store.summaries(of: request.ids)))
        }
    }

    func submit(_ request: ApplicationsRPC.Submit.Request, _ context: RPCContext) async throws -> RPCReply<Application> {
        let client = try context.requireRole([.client])
        let purpose = request.purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems =
            purpose.isEmpty || purpose.count > 500
            ? [Problem.FieldError(field: "purpose", message: "must be 1 to 500 characters")] : []
        let customer = try await customers.customer(client.userID)
        if customer?.profile == nil { problems.append(.init(field: "profile", message: "must be completed first (PUT /me/profile)")) }
        if customer?.financial == nil { problems.append(.init(field: "financial", message: "must be completed first (PUT /me/financial)")) }
        let product = try await products.product(id: request.productID)
        if let product, product.active {
            if !(product.minAmount...product.maxAmount).contains(request.amount) {
                problems.append(
                    .init(field: "amount", message: "must be between \(product.minAmount) and \(product.maxAmount) for this product"))
            }
            if !(product.minTermMonths...product.maxTermMonths).contains(request.termMonths) {
                problems.append(
                    .init(
                        field: "term_months",
                        message: "must be between \(product.minTermMonths) and \(product.maxTermMonths) for this product"))
            }
        } else {
            problems.append(.init(field: "product_id", message: "is not an active product"))
        }
        guard problems.isEmpty, let product, let profile = customer?.profile, let financial = customer?.financial else {
            throw Problem.validation(problems)
        }
        let snapshot = ApplicantSnapshot(
            dateOfBirth: profile.dateOfBirth, financial: financial, employment: customer?.employment,
            repaymentHistory: try await store.repaymentHistory(of: client.userID))
        let new = ApplicationStore.NewApplication(
            id: UUID(), customerID: client.userID, product: product, amount: request.amount, termMonths: request.termMonths,
            purpose: purpose, snapshot: snapshot)
        let reply = try await database.transaction(once: context.idempotencyKey) { connection -> RPCReply<Application> in
            // After the key's claim: a retry of a submission already stored gets its reply back.
            try await intake.admit(database, on: connection)
            let application = try await store.insert(new, on: connection)
            try await database.outbox.publish(
                LoansEvents.ApplicationSubmitted(
                    applicationID: new.id, customerID: new.customerID, productID: product.id, amount: new.amount,
                    termMonths: new.termMonths, annualRate: product.annualRate,
                    instalment: Amortization.emi(principal: new.amount, annualRate: product.annualRate, termMonths: new.termMonths),
                    purpose: purpose, snapshot: snapshot,
                    occurredAt: Date()), on: connection)
            return .accepted(application)
        }
        await lists.invalidate(client.userID)
        return reply
    }

    func list(_ request: ApplicationsRPC.List.Request, _ context: RPCContext) async throws -> RPCReply<Page<Application>> {
        let caller = try context.requireRole(Set(Role.allCases))
        let problems = request.page.problems
        guard problems.isEmpty else { throw Problem.validation(problems) }
        var request = request
        guard caller.role == .client else { return .ok(try await store.list(request)) }
        request.customerID = caller.userID  // clients see their own only, from their cached lists
        return .ok(try await lists.read(caller.userID, ListKey(kind: "applications", request: request)) { try await store.list(request) })
    }

    func withdraw(_ id: UUID, _ context: RPCContext) async throws -> RPCReply<Application> {
        let client = try context.requireRole([.client])
        let current = try await visible(id, context)
        guard current.customerID == client.userID else { throw Problem.forbidden("Only the applicant withdraws an application.") }
        guard ApplicationLifecycle.canMove(from: current.status, to: .withdrawn) else {
            throw ApplicationLifecycle.refusal(from: current.status, to: .withdrawn)
        }
        // Judged again on the locked row: the pipeline may have moved it meanwhile (analysed, assigned),
        // and a move that still allows withdrawing must not turn the client's request into a 409.
        let moved = try await database.transaction { connection in
            guard let locked = try await store.lock(id, on: connection), ApplicationLifecycle.canMove(from: locked.status, to: .withdrawn)
            else {
                return false
            }
            return try await store.move(id, from: locked, to: .withdrawn, actor: client.userID, on: connection)
        }
        await lists.invalidate(client.userID)
        guard moved, let application = try await store.application(id) else {
            throw Problem.conflict("The application changed meanwhile; read it again.", slug: "concurrent-change")
        }
        return .ok(application)
    }

    /// The application if the caller may see it: its applicant, or staff. Anyone else gets 404,
    /// which does not reveal that it exists.
    private func visible(_ id: UUID, _ context: RPCContext) async throws -> Application {
        let caller = try context.requireRole(Set(Role.allCases))
        guard let application = try await store.application(id), caller.role.isStaff || application.customerID == caller.userID else {
            throw Problem.notFound("No such application.")
        }
        return application
    }
}

/// What a cached list is keyed by: which list, and the whole query.
struct ListKey<Request: Encodable & Sendable>: Encodable, Sendable {
    let kind: String
    let request: Request
}
