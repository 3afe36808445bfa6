import Contracts
import Foundation
import Hummingbird

/// `/api/v1/tickets`: support tickets.
struct TicketRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    private struct UpdateBody: Codable {
        let status: Ticket.Status?
        let priority: Ticket.Priority?
    }

    private struct CommentBody: Codable, Sendable {
        let body: String
    }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("tickets") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.create(TicketsRPC.Create.self, request, context)
        }
        api.get("tickets") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = TicketsRPC.List.Request(
                page: try query.page(), status: try query.value("status", as: Ticket.Status.self),
                priority: try query.value("priority", as: Ticket.Priority.self), assignee: try query.uuid("assignee"))
            return try await forwarder.forwardList(TicketsRPC.List.self, list, context: context)
        }
        api.get("tickets/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forwardResource(
                TicketsRPC.Get.self, .init(id: try RouteSupport.pathID(context, "ticket")), context: context)
        }
        api.patch("tickets/:id") { request, context in
            let context = try await support.signedIn(request, context)
            let body = try await support.body.json(UpdateBody.self, from: request)
            let update = TicketsRPC.Update.Request(
                id: try RouteSupport.pathID(context, "ticket"), status: body.status, priority: body.priority,
                expectedVersion: try Query(request: request).expectedVersion())
            return try await forwarder.forwardResource(TicketsRPC.Update.self, update, context: context)
        }
        api.post("tickets/:id/comments") { request, context in
            let context = try await support.signedIn(request, context)
            let ticketID = try RouteSupport.pathID(context, "ticket")
            return try await support.create(TicketsRPC.Comment.self, request, context, body: CommentBody.self) {
                TicketsRPC.Comment.Request(ticketID: ticketID, body: $0.body)
            }
        }
    }
}
