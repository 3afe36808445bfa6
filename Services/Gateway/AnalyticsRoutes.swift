import Contracts
import Foundation
import Hummingbird

/// `/api/v1/audit-log`: the hash-chained record of staff actions and security events.
struct AnalyticsRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    func add(to api: RouterGroup<GatewayContext>) {
        api.get("audit-log") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = AuditRPC.List.Request(
                page: try query.page(), actorID: try query.uuid("actor_id"), action: query.string("action"), entity: query.string("entity"),
                from: try query.date("from"), to: try query.date("to"))
            return try await forwarder.forwardList(AuditRPC.List.self, list, context: context)
        }
        api.get("audit-log/verify") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(AuditRPC.Verify.self, Empty(), context: context)
        }
    }
}
