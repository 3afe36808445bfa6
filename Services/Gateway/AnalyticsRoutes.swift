import Contracts
import Foundation
import Hummingbird

/// Reports (`/analytics/*`, `/reports/portfolio`, `/public/stats`), `/audit-log` (the
/// hash-chained record of staff actions and security events) and `/admin/dead-letters`.
struct AnalyticsRoutes {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    func add(to api: RouterGroup<GatewayContext>) {
        api.get("audit-log") { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let list = AuditRPC.List.Request(
                page: try query.page(), actorID: try query.uuid("actor_id"), action: try query.string("action"),
                entity: try query.string("entity"),
                from: try query.date("from"), to: try query.date("to"))
            return try await forwarder.forwardList(AuditRPC.List.self, list, context: context)
        }
        report("analytics/traffic", AnalyticsRPC.Traffic.self, on: api)
        report("reports/portfolio", AnalyticsRPC.Portfolio.self, on: api)
        report("analytics/approvals", AnalyticsRPC.Approvals.self, on: api)
        report("analytics/tickets", AnalyticsRPC.Tickets.self, on: api)
        api.get("public/stats") { request, context in
            try await forwarder.forward(AnalyticsRPC.PublicStats.self, Empty(), context: try await support.maybeSignedIn(request, context))
        }
        api.get("admin/dead-letters") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forwardList(DeadLettersRPC.List.self, Empty(), context: context)
        }
        api.post("admin/dead-letters/:queue/replay") { request, context in
            let context = try await support.signedIn(request, context)
            let queue = context.parameters.get("queue") ?? ""
            return try await forwarder.forward(DeadLettersRPC.Replay.self, .init(queue: queue), context: context)
        }
        api.get("audit-log/verify") { request, context in
            let context = try await support.signedIn(request, context)
            return try await forwarder.forward(AuditRPC.Verify.self, Empty(), context: context)
        }
    }

    /// A report over a window of dates, narrowed by `product_id`, `customer_id` or `path` where it
    /// says.
    private func report<Operation: ServiceOperation>(
        _ path: RouterPath, _ operation: Operation.Type, on api: RouterGroup<GatewayContext>
    ) where Operation.Request == AnalyticsRPC.Window {
        api.get(path) { request, context in
            let context = try await support.signedIn(request, context)
            let query = Query(request: request)
            let window = AnalyticsRPC.Window(
                from: try query.date("from"), to: try query.date("to"), productID: try query.uuid("product_id"),
                customerID: try query.uuid("customer_id"), path: try query.string("path"))
            let result = try await forwarder.call(operation, window, context: context)
            return CSVExport.isWanted(request)
                ? try CSVExport.figures(result, filename: "\(path.description.split(separator: "/").last ?? "report").csv")
                : HTTPReply.response(result)
        }
    }
}
