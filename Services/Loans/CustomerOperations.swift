import Contracts
import Foundation
import ServiceKit

/// `/me/profile`, `/me/financial`, `/me/employment` for clients; `/customers` for staff.
struct CustomerOperations: Sendable {
    static let staff: Set<Role> = Set(Role.allCases.filter(\.isStaff))
    let store: CustomerStore

    func register(on handlers: inout RPCHandlers) {
        section(PersonalDetails.self, on: &handlers) { CustomerRules.problems($0) }
        section(FinancialDetails.self, on: &handlers) { CustomerRules.problems($0) }
        section(EmploymentDetails.self, on: &handlers) { CustomerRules.problems($0) }
        handlers.on(CustomersRPC.List.self) { request, context in
            _ = try context.requireRole(Self.staff)
            let problems = request.page.problems
            guard problems.isEmpty else { throw Problem.validation(problems) }
            return .ok(try await store.list(request))
        }
        handlers.on(CustomersRPC.Get.self) { request, context in
            _ = try context.requireRole(Self.staff)
            guard var customer = try await store.customer(request.id) else { throw Problem.notFound("No such customer.") }
            customer.loanSummary = try await store.loanSummary(customer.id)
            return .ok(customer)
        }
    }

    private func section<Section: CustomerSection>(
        _ type: Section.Type, on handlers: inout RPCHandlers, problems: @escaping @Sendable (Section) -> [Problem.FieldError]
    ) {
        handlers.on(CustomersRPC.GetSection<Section>.self) { [store] _, context in
            let client = try context.requireRole([.client])
            guard let section = try await store.section(Section.self, of: client.userID) else {
                throw Problem.notFound("Nothing saved yet: PUT /me/\(Section.name) first.")
            }
            return .ok(section)
        }
        handlers.on(CustomersRPC.PutSection<Section>.self) { [store] request, context in
            let client = try context.requireRole([.client])
            let found = problems(request.section)
            guard found.isEmpty else { throw Problem.validation(found) }
            guard let saved = try await store.put(request.section, of: client.userID, expectedVersion: request.expectedVersion) else {
                throw Problem.staleVersion("customer file", current: try await store.section(Section.self, of: client.userID))
            }
            return .ok(saved)
        }
    }
}
