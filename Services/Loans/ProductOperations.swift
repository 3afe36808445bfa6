import Contracts
import Foundation
import ServiceKit

/// The product catalogue's operations: anyone reads active products, staff inactive ones too, admins manage them.
struct ProductOperations: Sendable {
    static let managers: Set<Role> = [.admin, .superAdmin]
    let catalogue: ProductCatalogue

    func register(on handlers: inout RPCHandlers) {
        handlers.on(ProductsRPC.Create.self) { request, context in try await create(request, context) }
        handlers.on(ProductsRPC.Update.self) { request, context in try await update(request, context) }
        handlers.on(ProductsRPC.List.self) { request, context in try await list(request, context) }
        handlers.on(ProductsRPC.Get.self) { request, context in try await get(request, context) }
    }

    func create(_ fields: ProductsRPC.Fields, _ context: RPCContext) async throws -> RPCReply<Product> {
        _ = try context.requireRole(Self.managers)
        let complete = try ProductRules.merge(fields, into: nil).get()
        guard let product = try await catalogue.store.insert(id: UUID(), complete) else { throw Problem.internalError }
        try await catalogue.invalidate()
        return .created(product)
    }

    func update(_ request: ProductsRPC.Update.Request, _ context: RPCContext) async throws -> RPCReply<Product> {
        _ = try context.requireRole(Self.managers)
        guard let current = try await catalogue.store.product(id: request.id) else { throw Problem.notFound("No such product.") }
        if let expected = request.expectedVersion, expected != current.version { throw Problem.staleVersion("product", current: current) }
        let complete = try ProductRules.merge(request.fields, into: current).get()
        guard let updated = try await catalogue.store.update(id: current.id, complete, expectedVersion: current.version) else {
            throw Problem.staleVersion("product", current: try await catalogue.store.product(id: current.id))
        }
        try await catalogue.invalidate()
        return .ok(updated)
    }

    func list(_ request: ProductsRPC.List.Request, _ context: RPCContext) async throws -> RPCReply<Page<Product>> {
        let problems = request.page.problems
        guard problems.isEmpty else { throw Problem.validation(problems) }
        var request = request
        if !isManager(context) { request.active = true }
        return .ok(try await catalogue.list(request))
    }

    /// Staff read an inactive product too: applications made under it still name it on their pages.
    func get(_ request: ProductsRPC.Get.Request, _ context: RPCContext) async throws -> RPCReply<Product> {
        guard let product = try await catalogue.product(id: request.id), product.active || isStaff(context) else {
            throw Problem.notFound("No such product.")
        }
        return .ok(product)
    }

    private func isManager(_ context: RPCContext) -> Bool {
        context.principal.map { Self.managers.contains($0.role) && !$0.mfaSetupRequired } ?? false
    }

    private func isStaff(_ context: RPCContext) -> Bool {
        context.principal.map { $0.role.isStaff && !$0.mfaSetupRequired } ?? false
    }
}
