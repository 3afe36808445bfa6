import Contracts
import Foundation
import Hummingbird

/// `/api/v1/tickets`: support tickets.
struct TicketController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    struct UpdateBody: Codable {
        let status: Ticket.Status?
        let priority: Ticket.Priority?
    }

    struct CommentBody: Codable, Sendable {
        let body: String
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("tickets", use: open)
        routes.get("tickets", use: list)
        routes.get("tickets/:id", use: ticket)
        routes.patch("tickets/:id", use: update)
        routes.post("tickets/:id/comments", use: comment)
        return routes
    }

    @Sendable func open(_ request: Request, context: SignedIn) async throws -> Response {
        try await support.create(TicketsRPC.Create.self, request, context)
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let list = TicketsRPC.List.Request(
            page: try query.page(), status: try query.value("status", as: Ticket.Status.self),
            priority: try query.value("priority", as: Ticket.Priority.self), assignee: try query.uuid("assignee"))
        return try await forwarder.forwardList(TicketsRPC.List.self, list, context: context)
    }

    @Sendable func ticket(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forwardResource(TicketsRPC.Get.self, .init(id: try RouteSupport.pathID(context, "ticket")), context: context)
    }

    @Sendable func update(_ request: Request, context: SignedIn) async throws -> Response {
        let body = try await support.body.json(UpdateBody.self, from: request)
        let update = TicketsRPC.Update.Request(
            id: try RouteSupport.pathID(context, "ticket"), status: body.status, priority: body.priority,
            expectedVersion: try Query(request: request).expectedVersion())
        return try await forwarder.forwardResource(TicketsRPC.Update.self, update, context: context)
    }

    @Sendable func comment(_ request: Request, context: SignedIn) async throws -> Response {
        let ticketID = try RouteSupport.pathID(context, "ticket")
        return try await support.create(TicketsRPC.Comment.self, request, context, body: CommentBody.self) {
            TicketsRPC.Comment.Request(ticketID: ticketID, body: $0.body)
        }
    }
}
