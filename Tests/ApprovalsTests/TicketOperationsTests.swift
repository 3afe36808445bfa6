import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Approvals

/// `TicketOperations` on a database of its own: clients open tickets, the least-loaded
/// administrator gets them, changes apply to the version read, and only participants talk.
@Suite struct TicketOperationsTests {
    private func open(
        _ approvals: ApprovalsFixture, by client: Principal, priority: Ticket.Priority = .medium, about application: UUID? = nil,
        idempotencyKey: String? = nil
    ) async throws -> RPCResult {
        try await approvals.operations.call(
            TicketsRPC.Create.self,
            .init(subject: "My statement", description: "The June statement is missing.", priority: priority, applicationID: application),
            as: client, idempotencyKey: idempotencyKey)
    }

    private func ticket(_ approvals: ApprovalsFixture, by client: Principal, priority: Ticket.Priority = .medium) async throws -> Ticket {
        let result = try await open(approvals, by: client, priority: priority)
        #expect(result.status == 201)
        return try result.decode(Ticket.self)
    }

    private func update(
        _ approvals: ApprovalsFixture, _ ticket: Ticket, status: Ticket.Status? = nil, priority: Ticket.Priority? = nil,
        version: Int? = nil, as caller: Principal
    ) async throws -> RPCResult {
        try await approvals.operations.call(
            TicketsRPC.Update.self, .init(id: ticket.id, status: status, priority: priority, expectedVersion: version), as: caller)
    }

    private func changes(_ approvals: ApprovalsFixture) async throws -> [TicketEvents.Change] {
        try await approvals.published(TicketEvents.Updated.self).map(\.event.change)
    }

    @Test func aClientsTicketGoesToTheLeastLoadedAdministratorWithTheSLAOfItsPriority() async throws {
        try await ApprovalsFixture.run { approvals in
            let grace = try await approvals.staff(.admin, named: "Grace Hopper")
            let alan = try await approvals.staff(.admin, named: "Alan Turing")
            _ = try await approvals.staff(.superAdmin)
            let client = Principal.signedIn(as: .client)

            let first = try await ticket(approvals, by: client, priority: .high)
            #expect(first.status == .open && first.version == 1 && first.customerID == client.userID && first.priority == .high)
            #expect(first.subject == "My statement" && first.applicationID == nil)
            #expect(abs(first.dueAt.timeIntervalSince(first.createdAt) - 4 * 3600) < 5, "high: 4 hours")
            let assignees = [grace, alan]
            let firstAssignee = try #require(assignees.first { $0.userID == first.assignee?.id })
            #expect(first.assignee?.fullName == (firstAssignee == grace ? "Grace Hopper" : "Alan Turing"))

            let second = try await ticket(approvals, by: .signedIn(as: .client), priority: .low)
            #expect(second.assignee?.id != first.assignee?.id && assignees.contains { $0.userID == second.assignee?.id })
            #expect(abs(second.dueAt.timeIntervalSince(second.createdAt) - 72 * 3600) < 5, "low: 72 hours")
            // Both have one: the one given a ticket longest ago gets the next.
            #expect(try await ticket(approvals, by: client).assignee?.id == first.assignee?.id)

            let created = try #require(try await approvals.published(TicketEvents.Updated.self).first?.event)
            #expect(created.change == .created && created.ticketID == first.id && created.actorID == client.userID)
            #expect(created.assigneeID == first.assignee?.id && created.status == .open)
        }
    }

    @Test func withoutAnActiveAdministratorATicketWaitsUnassigned() async throws {
        try await ApprovalsFixture.run { approvals in
            let admin = try await approvals.staff(.admin)
            try await approvals.disable(admin)
            let waiting = try await ticket(approvals, by: .signedIn(as: .client))
            #expect(waiting.assignee == nil && waiting.status == .open)
            #expect(try await approvals.database.count("tickets") == 1)
        }
    }

    @Test func aTicketAboutAnApplicationIsTakenOnlyForOneOfTheClientsOwn() async throws {
        try await ApprovalsFixture.run { approvals in
            _ = try await approvals.staff(.admin)
            let client = Principal.signedIn(as: .client)
            let application = try await approvals.submit(by: client)
            let own = try await open(approvals, by: client, about: application).decode(Ticket.self)
            #expect(own.applicationID == application)
            #expect(approvals.held.askers == [client], "loans was asked as the client")

            // `loans` answers 404 for an application that is not the caller's (or none at all).
            approvals.loans.refuse(ApplicationsRPC.Get.self, with: .notFound("No such application."))
            let foreign = try #require(
                try await approvals.operations.problem(
                    TicketsRPC.Create.self, .init(subject: "Their loan", description: "Why?", priority: .low, applicationID: UUID()),
                    as: client))
            #expect(foreign.status == 422 && foreign.errors?.map(\.field) == ["application_id"])
            // And when `loans` cannot answer, the client is told so, not that the application is not theirs.
            approvals.loans.refuse(ApplicationsRPC.Get.self, with: .unavailable("loans is down"))
            #expect(try await open(approvals, by: client, about: application).status == 503)
            #expect(try await approvals.database.count("tickets") == 1)
            #expect(try await changes(approvals) == [.created])
        }
    }

    @Test func onlyAClientOpensATicketAndAnInvalidOneStoresNothing() async throws {
        try await ApprovalsFixture.run { approvals in
            let admin = try await approvals.staff(.admin)
            #expect(try await open(approvals, by: admin).status == 403)
            #expect(try await open(approvals, by: .signedIn(as: .analyst)).status == 403)
            let invalid = try #require(
                try await approvals.operations.problem(
                    TicketsRPC.Create.self, .init(subject: " Hi ", description: "   ", priority: .high, applicationID: nil),
                    as: .signedIn(as: .client)))
            #expect(invalid.status == 422 && Set(invalid.errors?.map(\.field) ?? []) == ["subject", "description"])
            #expect(try await approvals.database.count("tickets") == 0)
            #expect(try await approvals.outbox().isEmpty)
        }
    }

    @Test func aRetriedTicketWithItsKeyIsOpenedOnce() async throws {
        try await ApprovalsFixture.run { approvals in
            _ = try await approvals.staff(.admin)
            let client = Principal.signedIn(as: .client)
            let first = try await open(approvals, by: client, idempotencyKey: "client:t-1")
            let again = try await open(approvals, by: client, idempotencyKey: "client:t-1")
            #expect(first.status == 201 && again.status == 201)
            #expect(try first.decode(Ticket.self).id == again.decode(Ticket.self).id)
            #expect(try await approvals.database.count("tickets") == 1)
            #expect(try await changes(approvals) == [.created])
        }
    }

    @Test func theAssigneeMovesATicketForwardAgainstTheVersionTheyReadAndTheClientReopensIt() async throws {
        try await ApprovalsFixture.run { approvals in
            let admin = try await approvals.staff(.admin)
            let client = Principal.signedIn(as: .client)
            let opened = try await ticket(approvals, by: client, priority: .high)
            // Opened five hours ago: past its SLA.
            try await approvals.database.client.query(
                "UPDATE tickets SET due_at = now() - interval '1 hour' WHERE id = \(opened.id)", logger: approvals.database.logger)

            let working = try await update(approvals, opened, status: .inProgress, version: 1, as: admin).decode(Ticket.self)
            #expect(working.status == .inProgress && working.version == 2)
            #expect(working.dueAt < Date(), "moving it forward does not move its due time")
            // A change made against the version before it is refused, with the ticket as it is now.
            let stale = try #require(
                try await approvals.operations.problem(
                    TicketsRPC.Update.self, .init(id: opened.id, status: nil, priority: .low, expectedVersion: 1), as: admin))
            #expect(stale.status == 412 && stale.current?["version"] == .integer(2) && stale.current?["priority"] == .string("high"))

            let resolved = try await update(approvals, working, status: .resolved, version: 2, as: admin).decode(Ticket.self)
            #expect(resolved.status == .resolved && resolved.version == 3 && resolved.resolvedAt != nil)
            let reopened = try await update(approvals, resolved, status: .open, version: 3, as: client).decode(Ticket.self)
            #expect(reopened.status == .open && reopened.version == 4 && reopened.resolvedAt == nil)
            #expect(abs(reopened.dueAt.timeIntervalSinceNow - 4 * 3600) < 60, "a reopened ticket runs a fresh SLA")
            #expect(reopened.assignee?.id == admin.userID)
            #expect(try await changes(approvals) == [.created, .statusChanged, .statusChanged, .statusChanged])
        }
    }

    @Test func nobodyElseChangesATicketAndARefusalLeavesItAsItWas() async throws {
        try await ApprovalsFixture.run { approvals in
            let assignee = try await approvals.staff(.admin)
            let client = Principal.signedIn(as: .client)
            let opened = try await ticket(approvals, by: client)
            let otherAdmin = Principal.signedIn(as: .admin)

            #expect(try await update(approvals, opened, status: .inProgress, as: otherAdmin).status == 403)
            #expect(try await update(approvals, opened, priority: .high, as: client).status == 403)
            #expect(try await update(approvals, opened, status: .open, as: client).status == 409, "only a resolved ticket is reopened")
            #expect(try await update(approvals, opened, status: .inProgress, as: .signedIn(as: .client)).status == 404)
            #expect(try await update(approvals, opened, status: .inProgress, as: .signedIn(as: .manager)).status == 403)
            #expect(try await update(approvals, opened, status: .resolved, as: assignee).status == 409, "open goes to in progress first")
            #expect(try await update(approvals, opened, as: assignee).status == 422)
            let unchanged = try await approvals.operations.ok(TicketsRPC.Get.self, .init(id: opened.id), as: client)
            #expect(unchanged.version == 1 && unchanged.status == .open && unchanged.priority == .medium)
            #expect(try await changes(approvals) == [.created])

            // A super administrator may change any ticket; another priority restarts its SLA.
            let raised = try await update(approvals, opened, priority: .high, version: 1, as: .signedIn(as: .superAdmin)).decode(
                Ticket.self)
            #expect(raised.priority == .high && raised.version == 2)
            #expect(abs(raised.dueAt.timeIntervalSinceNow - 4 * 3600) < 60)
            #expect(try await changes(approvals) == [.created, .priorityChanged])
        }
    }

    @Test func aClientSeesOnlyTheirTicketsAndOnlyParticipantsComment() async throws {
        try await ApprovalsFixture.run { approvals in
            let assignee = try await approvals.staff(.admin)
            let ada = Principal.signedIn(as: .client)
            let bob = Principal.signedIn(as: .client)
            let adas = try await ticket(approvals, by: ada)
            let bobs = try await ticket(approvals, by: bob)
            let list = TicketsRPC.List.Request(page: PageRequest(), status: nil, priority: nil, assignee: nil)
            #expect(try await approvals.operations.ok(TicketsRPC.List.self, list, as: ada).items.map(\.id) == [adas.id])
            #expect(Set(try await approvals.operations.ok(TicketsRPC.List.self, list, as: assignee).items.map(\.id)) == [adas.id, bobs.id])
            #expect(try await approvals.operations.problem(TicketsRPC.Get.self, .init(id: bobs.id), as: ada)?.status == 404)
            #expect(try await approvals.operations.problem(TicketsRPC.List.self, list, as: .signedIn(as: .analyst))?.status == 403)

            let question = try await approvals.operations.call(
                TicketsRPC.Comment.self, .init(ticketID: adas.id, body: " Any news? "), as: ada)
            #expect(question.status == 201)
            let answer = try await approvals.operations.call(
                TicketsRPC.Comment.self, .init(ticketID: adas.id, body: "Sent it again."), as: assignee)
            #expect(answer.status == 201)
            #expect(
                try await approvals.operations.call(
                    TicketsRPC.Comment.self, .init(ticketID: adas.id, body: "Hi"), as: .signedIn(as: .admin)
                )
                .status == 403)
            #expect(
                try await approvals.operations.call(TicketsRPC.Comment.self, .init(ticketID: adas.id, body: "Hi"), as: bob).status == 404)
            #expect(
                try await approvals.operations.call(TicketsRPC.Comment.self, .init(ticketID: adas.id, body: " "), as: ada).status == 422)

            let read = try await approvals.operations.ok(TicketsRPC.Get.self, .init(id: adas.id), as: ada)
            #expect(read.comments?.map(\.body) == ["Any news?", "Sent it again."])
            #expect(read.comments?.map(\.authorRole) == [.client, .admin])
            #expect(try await changes(approvals) == [.created, .created, .commented, .commented])
        }
    }
}
