import Contracts
import Foundation
import Persistence
import PostgresNIO
import ServiceKit

/// `/me/profile`, `/me/financial`, `/me/employment` for clients; `/customers` for staff.
struct CustomerOperations: Sendable {
    static let staff: Set<Role> = Set(Role.allCases.filter(\.isStaff))
    /// Who opens and corrects files on a customer's behalf.
    static let administrators: Set<Role> = [.admin, .superAdmin]
    let database: Database
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
        handlers.on(CustomersRPC.Validate.self) { request, context in
            _ = try context.requireRole(Self.administrators)
            let problems = Self.problems(request)
            guard problems.isEmpty else { throw Problem.validation(problems) }
            return .ok(Empty())
        }
        handlers.on(CustomersRPC.Open.self) { request, context in
            let actor = try context.requireRole(Self.administrators)
            return try await change(
                request.customerID, request.sections, expectedVersion: nil, as: .opened, by: actor, once: context.idempotencyKey)
        }
        handlers.on(CustomersRPC.Correct.self) { request, context in
            let actor = try context.requireRole(Self.administrators)
            return try await change(
                request.id, request.sections, expectedVersion: request.expectedVersion, as: .corrected, by: actor, once: nil)
        }
        handlers.on(CustomersRPC.Get.self) { request, context in
            _ = try context.requireRole(Self.staff)
            guard var customer = try await store.customer(request.id) else { throw Problem.notFound("No such customer.") }
            customer.loanSummary = try await store.loanSummary(customer.id)
            return .ok(customer)
        }
    }

    /// Each section's problems, named by section (`profile.phone`).
    static func problems(_ sections: CustomersRPC.Sections) -> [Problem.FieldError] {
        func named(_ prefix: String, _ problems: [Problem.FieldError]) -> [Problem.FieldError] {
            problems.map { .init(field: "\(prefix).\($0.field)", message: $0.message) }
        }
        return named("profile", sections.profile.map { CustomerRules.problems($0) } ?? [])
            + named("financial", sections.financial.map { CustomerRules.problems($0) } ?? [])
            + named("employment", sections.employment.map { CustomerRules.problems($0) } ?? [])
    }

    /// Staff write a customer's sections: opening a file (created if new) or correcting one
    /// (which must exist, and honours `If-Match`). The audit log gets both versions.
    private func change(
        _ customerID: UUID, _ sections: CustomersRPC.Sections, expectedVersion: Int?, as change: LoansEvents.CustomerFileChanged.Change,
        by actor: Principal, once key: String?
    ) async throws -> RPCReply<Customer> {
        let problems = Self.problems(sections)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        if change == .corrected, sections == CustomersRPC.Sections() {
            throw Problem.validation(field: "body", "must change at least one of profile, financial or employment")
        }
        return try await database.transaction(once: key) { connection -> RPCReply<Customer> in
            let before = try await store.customer(customerID, on: connection, locking: true)
            if change == .corrected {
                guard let before else { throw Problem.notFound("No such customer.") }
                if let expectedVersion, expectedVersion != before.version { throw Problem.staleVersion("customer file", current: before) }
            }
            guard
                let after = try await store.write(
                    sections, of: customerID, expectedVersion: expectedVersion, creating: change == .opened, on: connection)
            else { throw Problem.notFound("No such customer.") }
            func text(_ customer: Customer?) throws -> String {
                String(
                    decoding: try JSON.encode(
                        CustomersRPC.Sections(
                            profile: customer?.profile, financial: customer?.financial, employment: customer?.employment)), as: UTF8.self)
            }
            try await announcePhone(of: customerID, before: before?.profile, after: after.profile, on: connection)
            try await database.outbox.publish(
                LoansEvents.CustomerFileChanged(
                    customerID: customerID, change: change, before: try text(before), after: try text(after), actorID: actor.userID,
                    actorRole: actor.role, occurredAt: Date()), on: connection)
            return change == .opened ? .created(after) : .ok(after)
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
        handlers.on(CustomersRPC.PutSection<Section>.self) { request, context in
            let client = try context.requireRole([.client])
            let found = problems(request.section)
            guard found.isEmpty else { throw Problem.validation(found) }
            // Only a profile carries a phone, so only a profile's old version is read (and locked).
            let profile = request.section as? PersonalDetails
            let saved = try await database.transaction { connection -> VersionedSection<Section>? in
                let before = profile == nil ? nil : try await store.customer(client.userID, on: connection, locking: true)
                guard
                    let saved = try await store.put(
                        request.section, of: client.userID, expectedVersion: request.expectedVersion, on: connection)
                else { return nil }
                if let profile { try await announcePhone(of: client.userID, before: before?.profile, after: profile, on: connection) }
                return saved
            }
            guard let saved else {
                throw Problem.staleVersion("customer file", current: try await store.section(Section.self, of: client.userID))
            }
            return .ok(saved)
        }
    }

    /// A phone given or changed on the profile becomes the account's, to be verified (`auth`).
    private func announcePhone(
        of customerID: UUID, before: PersonalDetails?, after: PersonalDetails?, on connection: PostgresConnection
    ) async throws {
        guard let phone = after?.phone, phone != before?.phone else { return }
        try await database.outbox.publish(
            LoansEvents.PhoneChanged(customerID: customerID, phone: phone, occurredAt: Date()), on: connection)
    }
}
