import Contracts
import Foundation
import Hummingbird

/// Reports (`/analytics/*`, `/reports/portfolio`, `/public/stats`), `/audit-log` (the
/// hash-chained record of staff actions and security events) and `/admin/dead-letters`.
struct AnalyticsController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    var publicRoutes: RouteCollection<GatewayContext> {
        let routes = RouteCollection(context: GatewayContext.self)
        routes.get("public/stats", use: publicStats)
        return routes
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.get("audit-log", use: auditLog)
        routes.get("audit-log/verify", use: verifyAuditLog)
        routes.get("analytics/traffic", use: report(AnalyticsRPC.Traffic.self, file: "traffic"))
        routes.get("reports/portfolio", use: report(AnalyticsRPC.Portfolio.self, file: "portfolio"))
        routes.get("analytics/approvals", use: report(AnalyticsRPC.Approvals.self, file: "approvals"))
        routes.get("analytics/tickets", use: report(AnalyticsRPC.Tickets.self, file: "tickets"))
        routes.get("admin/dead-letters", use: deadLetters)
        routes.post("admin/dead-letters/:queue/replay", use: replayDeadLetters)
        return routes
    }

    @Sendable func publicStats(_ request: Request, context: GatewayContext) async throws -> Response {
        try await forwarder.forward(AnalyticsRPC.PublicStats.self, Empty(), context: try context.signingInIfSent(request))
    }

    @Sendable func auditLog(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let list = AuditRPC.List.Request(
            page: try query.page(), actorID: try query.uuid("actor_id"), action: try query.string("action"),
            entity: try query.string("entity"), from: try query.date("from"), to: try query.date("to"))
        return try await forwarder.forwardList(AuditRPC.List.self, list, context: context)
    }

    @Sendable func verifyAuditLog(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forward(AuditRPC.Verify.self, Empty(), context: context)
    }

    /// A report over a window of dates, narrowed by `product_id`, `customer_id` or `path` where it
    /// says; with `Accept: text/csv`, its figures as `<file>.csv`.
    private func report<Operation: ServiceOperation>(
        _ operation: Operation.Type, file: String
    ) -> @Sendable (Request, SignedIn) async throws -> Response where Operation.Request == AnalyticsRPC.Window {
        { [forwarder] request, context in
            let query = Query(request: request)
            let window = AnalyticsRPC.Window(
                from: try query.date("from"), to: try query.date("to"), productID: try query.uuid("product_id"),
                customerID: try query.uuid("customer_id"), path: try query.string("path"))
            let result = try await forwarder.call(operation, window, context: context)
            return CSVExport.isWanted(request) ? try CSVExport.figures(result, filename: "\(file).csv") : HTTPReply.response(result)
        }
    }

    @Sendable func deadLetters(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forwardList(DeadLettersRPC.List.self, Empty(), context: context)
    }

    @Sendable func replayDeadLetters(_ request: Request, context: SignedIn) async throws -> Response {
        let queue = context.parameters.get("queue") ?? ""
        return try await forwarder.forward(DeadLettersRPC.Replay.self, .init(queue: queue), context: context)
    }
}
