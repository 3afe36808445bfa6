import Contracts
import Foundation
import Hummingbird

/// `/api/v1/notifications` (the caller's own inbox and preferences) and the WebSocket path.
struct NotificationController {
    let support: RouteSupport
    let sockets: PushSockets
    private var forwarder: Forwarder { support.forwarder }

    /// `GET /ws` reaches a route only when it is not a WebSocket upgrade: the refusal explains.
    var publicRoutes: RouteCollection<GatewayContext> {
        let routes = RouteCollection(context: GatewayContext.self)
        routes.get("ws") { [sockets] request, context in try await sockets.refuse(request, context) }
        return routes
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.get("notifications", use: list)
        routes.post("notifications/read-all", use: readAll)
        routes.post("notifications/:id/read", use: read)
        routes.get("notifications/preferences", use: preferences)
        routes.put("notifications/preferences", use: replacePreferences)
        return routes
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let list = NotificationsRPC.List.Request(page: try query.page(), unread: try query.bool("unread"), type: try query.string("type"))
        return try await forwarder.forwardList(NotificationsRPC.List.self, list, context: context)
    }

    @Sendable func readAll(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(NotificationsRPC.MarkRead.self, .init(id: nil), context: context)
    }

    @Sendable func read(_ request: Request, context: SignedIn) async throws -> Response {
        let read = NotificationsRPC.MarkRead.Request(id: try RouteSupport.pathID(context, "notification"))
        return try await forwarder.forward(NotificationsRPC.MarkRead.self, read, context: context)
    }

    @Sendable func preferences(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(NotificationsRPC.GetPreferences.self, Empty(), context: context)
    }

    @Sendable func replacePreferences(_ request: Request, context: SignedIn) async throws -> Response {
        let preferences = try await support.body.json(NotificationPreferences.self, from: request)
        return try await forwarder.forward(NotificationsRPC.PutPreferences.self, preferences, context: context)
    }
}

/// `/api/v1/webhooks`: administrators' subscriptions of outside systems to events.
struct WebhookController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("webhooks", use: subscribe)
        routes.get("webhooks", use: list)
        routes.delete("webhooks/:id", use: unsubscribe)
        routes.get("webhooks/:id/deliveries", use: deliveries)
        return routes
    }

    @Sendable func subscribe(_ request: Request, context: SignedIn) async throws -> Response {
        try await support.create(WebhooksRPC.Create.self, request, context)
    }

    @Sendable func list(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forwardList(WebhooksRPC.List.self, try Query(request: request).page(), context: context)
    }

    @Sendable func unsubscribe(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(WebhooksRPC.Delete.self, .init(id: try RouteSupport.pathID(context, "webhook")), context: context)
    }

    @Sendable func deliveries(_ request: Request, context: SignedIn) async throws -> Response {
        let deliveries = WebhooksRPC.Deliveries.Request(
            id: try RouteSupport.pathID(context, "webhook"), page: try Query(request: request).page())
        return try await forwarder.forwardList(WebhooksRPC.Deliveries.self, deliveries, context: context)
    }
}
