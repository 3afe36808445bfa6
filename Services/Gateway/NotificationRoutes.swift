import Contracts
import Foundation
import Hummingbird

/// `/api/v1/notifications` (the caller's own inbox and preferences) and the WebSocket path.
struct NotificationRoutes {
    let support: RouteSupport
    let sockets: PushSockets
    private var forwarder: Forwarder { support.forwarder }

    func add(to api: RouterGroup<GatewayContext>) {
        api.get("notifications") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = NotificationsRPC.List.Request(
                page: try query.page(), unread: try query.bool("unread"), type: try query.string("type"))
            return try await forwarder.forwardList(NotificationsRPC.List.self, list, context: context)
        }
        api.post("notifications/read-all") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(NotificationsRPC.MarkRead.self, .init(id: nil), context: context)
        }
        api.post("notifications/:id/read") { request, context in
            let context = try await support.signedIn(request, context)
            let read = NotificationsRPC.MarkRead.Request(id: try RouteSupport.pathID(context, "notification"))
            return try await forwarder.forward(NotificationsRPC.MarkRead.self, read, context: context)
        }
        api.get("notifications/preferences") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(NotificationsRPC.GetPreferences.self, Empty(), context: context)
        }
        api.put("notifications/preferences") { request, context in
            let context = try await support.signedIn(request, context)
            let preferences = try await support.body.json(NotificationPreferences.self, from: request)
            return try await forwarder.forward(NotificationsRPC.PutPreferences.self, preferences, context: context)
        }
        api.get("ws") { request, context in
            try await sockets.refuse(request, context)
        }
    }
}

/// `/api/v1/webhooks`: administrators' subscriptions of outside systems to events.
struct WebhookRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    func add(to api: RouterGroup<GatewayContext>) {
        api.post("webhooks") { request, context in
            let context = try await support.signedIn(request, context)
            return try await support.create(WebhooksRPC.Create.self, request, context)
        }
        api.get("webhooks") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forwardList(WebhooksRPC.List.self, try Query(request: request).page(), context: context)
        }
        api.delete("webhooks/:id") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(
                WebhooksRPC.Delete.self, .init(id: try RouteSupport.pathID(context, "webhook")), context: context)
        }
        api.get("webhooks/:id/deliveries") { request, context in
            let context = try await support.signedIn(request, context)
            let deliveries = WebhooksRPC.Deliveries.Request(
                id: try RouteSupport.pathID(context, "webhook"), page: try Query(request: request).page())
            return try await forwarder.forwardList(WebhooksRPC.Deliveries.self, deliveries, context: context)
        }
    }
}
