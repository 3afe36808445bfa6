import Contracts
import Foundation
import Persistence
import PostgresNIO
import ServiceKit

/// Support tickets: clients open them, the least-loaded administrator works them, every change is
/// an event (the client is told).
struct TicketOperations: Sendable {
    let database: Database
    let tickets: TicketStore
    let staff: StaffDirectory
    /// To ask `loans` whether an application a ticket names is the client's own.
    let services: any ServiceCalling

    func register(on rpc: inout RPCHandlers) {
        rpc.on(TicketsRPC.Create.self) { request, context in
            try await create(request, context)
        }
        rpc.on(TicketsRPC.List.self) { request, context in
            let caller = try context.requireRole(TicketRules.workers.union([.client]))
            if !request.page.problems.isEmpty { throw Problem.validation(request.page.problems) }
            let filter = TicketStore.Filter(
                customer: caller.role == .client ? caller.userID : nil, status: request.status, priority: request.priority,
                assignee: request.assignee)
            let (total, items) = try await tickets.list(filter, page: request.page)
            return .ok(Page(items: items, request: request.page, total: total))
        }
        rpc.on(TicketsRPC.Get.self) { request, context in
            let caller = try context.requireRole(TicketRules.workers.union([.client]))
            guard let ticket = try await tickets.ticket(request.id), TicketRules.canSee(ticket, caller) else {
                throw Problem.notFound("No such ticket.")
            }
            return .ok(try await tickets.withComments(ticket))
        }
        rpc.on(TicketsRPC.Update.self) { request, context in
            try await update(request, context)
        }
        rpc.on(TicketsRPC.Comment.self) { request, context in
            try await comment(request, context)
        }
    }

    private func create(_ request: TicketsRPC.Create.Request, _ context: RPCContext) async throws -> RPCReply<Ticket> {
        let client = try context.requireRole([.client])
        let problems = TicketRules.problems(request)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        if let application = request.applicationID {
            try await requireOwn(application, context)
        }
        let id = UUID()
        return try await database.transaction(once: context.idempotencyKey) { connection -> RPCReply<Ticket> in
            let assignee = try await staff.assignLeastLoaded(.admin, .tickets, on: connection)
            let dueAt = TicketRules.dueAt(request.priority, from: Date())
            try await tickets.insert(request, id: id, customer: client.userID, assignee: assignee, dueAt: dueAt, on: connection)
            try await publish(
                .created, about: id, customer: client.userID, status: .open, priority: request.priority, assignee: assignee,
                actor: client.userID, on: connection)
            guard let created = try await tickets.ticket(id, locking: connection) else { throw Problem.notFound("No such ticket.") }
            return .created(created)
        }
    }

    /// `loans` owns applications and who may see them: it answers the client's own with `200`, any
    /// other (someone else's, or none) with `404`. Either way the ticket is refused the same, so
    /// the answer tells nothing about other clients' applications.
    private func requireOwn(_ application: UUID, _ context: RPCContext) async throws {
        let result = try await services.call(
            ApplicationsRPC.Get.self, .init(id: application), principal: context.principal, requestID: context.requestID)
        switch result.status {
        case 200: return
        case 403, 404: throw Problem.validation(field: "application_id", "must be one of your applications")
        default: _ = try result.decode(Empty.self)  // the service's own problem (503, 504…)
        }
    }

    /// With `If-Match` the change applies to that version only (else 412).
    private func update(_ request: TicketsRPC.Update.Request, _ context: RPCContext) async throws -> RPCReply<Ticket> {
        let caller = try context.requireRole(TicketRules.workers.union([.client]))
        let updated = try await database.transaction { connection -> Ticket? in
            guard let ticket = try await tickets.ticket(request.id, locking: connection), TicketRules.canSee(ticket, caller) else {
                throw Problem.notFound("No such ticket.")
            }
            if let expected = request.expectedVersion, expected != ticket.version { throw Problem.staleVersion("ticket", current: ticket) }
            if let refusal = TicketRules.refusal(request, to: ticket, by: caller) { throw refusal }
            let status = request.status ?? ticket.status
            let priority = request.priority ?? ticket.priority
            // A reopened ticket, or one given another priority, runs a fresh SLA from now.
            let restarts = (status == .open && ticket.status == .resolved) || priority != ticket.priority
            let dueAt = restarts ? TicketRules.dueAt(priority, from: Date()) : ticket.dueAt
            try await tickets.update(
                ticket.id, status: status, priority: priority, dueAt: dueAt, assignee: ticket.assignee?.id, on: connection)
            let change: TicketEvents.Change = status != ticket.status ? .statusChanged : .priorityChanged
            try await publish(
                change, about: ticket.id, customer: ticket.customerID, status: status, priority: priority,
                assignee: ticket.assignee?.id, actor: caller.userID, on: connection)
            return try await tickets.ticket(ticket.id, locking: connection)
        }
        guard let updated else { throw Problem.notFound("No such ticket.") }
        return .ok(try await tickets.withComments(updated))
    }

    private func comment(_ request: TicketsRPC.Comment.Request, _ context: RPCContext) async throws -> RPCReply<Ticket.Comment> {
        let caller = try context.requireRole(TicketRules.workers.union([.client]))
        if let problem = TicketRules.bodyProblem(request.body, field: "body") { throw Problem.validation([problem]) }
        let comment = Ticket.Comment(
            id: UUID(), authorID: caller.userID, authorRole: caller.role,
            body: request.body.trimmingCharacters(in: .whitespacesAndNewlines),
            createdAt: Date())
        try await database.transaction { connection in
            guard let ticket = try await tickets.ticket(request.ticketID, locking: connection), TicketRules.canSee(ticket, caller) else {
                throw Problem.notFound("No such ticket.")
            }
            guard TicketRules.isParticipant(ticket, caller) else {
                throw Problem.forbidden("Only the ticket's client, its assignee and super administrators comment on it.")
            }
            try await tickets.addComment(comment, to: ticket.id, on: connection)
            try await publish(
                .commented, about: ticket.id, customer: ticket.customerID, status: ticket.status, priority: ticket.priority,
                assignee: ticket.assignee?.id, actor: caller.userID, on: connection)
        }
        return .created(comment)
    }

    private func publish(
        _ change: TicketEvents.Change, about id: UUID, customer: UUID, status: Ticket.Status, priority: Ticket.Priority, assignee: UUID?,
        actor: UUID?, on connection: PostgresConnection
    ) async throws {
        try await database.outbox.publish(
            TicketEvents.Updated(
                ticketID: id, customerID: customer, change: change, status: status, priority: priority, assigneeID: assignee,
                actorID: actor,
                occurredAt: Date()), on: connection)
    }

    /// Gives unassigned tickets to administrators who appeared since, and reports tickets past their
    /// SLA to the super administrators (once per SLA period). Runs in the sweep's transaction.
    func sweep(limit: Int, on connection: PostgresConnection) async throws -> Int {
        for ticket in try await tickets.unassigned(limit: limit, on: connection) {
            guard let assignee = try await staff.assignLeastLoaded(.admin, .tickets, on: connection) else { break }
            try await tickets.assign(ticket.id, to: assignee, on: connection)
            try await publish(
                .assigned, about: ticket.id, customer: ticket.customerID, status: ticket.status, priority: ticket.priority,
                assignee: assignee, actor: nil, on: connection)
        }
        let overdue = try await tickets.overdue(limit: limit, on: connection)
        for ticket in overdue {
            try await tickets.markEscalated(ticket.id, on: connection)
            try await database.outbox.publish(
                TicketEvents.SLABreached(
                    ticketID: ticket.id, priority: ticket.priority, assigneeID: ticket.assignee?.id, dueAt: ticket.dueAt,
                    escalatedTo: .superAdmin, occurredAt: Date()), on: connection)
        }
        return overdue.count
    }
}
