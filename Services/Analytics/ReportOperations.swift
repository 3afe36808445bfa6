import Contracts
import Foundation
import ServiceKit

/// The report operations, each with the roles the contract gives it.
struct ReportOperations: Sendable {
    let reports: Reports
    let traffic: TrafficStore

    func register(on rpc: inout RPCHandlers) {
        rpc.on(AnalyticsRPC.Traffic.self) { window, context in
            _ = try context.requireRole([.superAdmin])
            try Self.check(window)
            // Without dates: the last 24 hours.
            let from = window.from?.startOfDay ?? Date().addingTimeInterval(-86_400)
            let to = window.to?.adding(days: 1).startOfDay ?? Date().addingTimeInterval(60)
            return .ok(try await traffic.figures(from: from, to: to, path: window.path))
        }
        rpc.on(AnalyticsRPC.Portfolio.self) { window, context in
            _ = try context.requireRole([.admin, .superAdmin])
            try Self.check(window)
            return .ok(try await reports.portfolio(window))
        }
        rpc.on(AnalyticsRPC.Approvals.self) { window, context in
            _ = try context.requireRole([.manager, .director, .admin, .superAdmin])
            try Self.check(window)
            return .ok(try await reports.approvals(window))
        }
        rpc.on(AnalyticsRPC.Tickets.self) { window, context in
            _ = try context.requireRole([.admin, .superAdmin])
            try Self.check(window)
            return .ok(try await reports.tickets(window))
        }
        rpc.on(AnalyticsRPC.PublicStats.self) { _, _ in
            .ok(try await reports.publicStats())
        }
    }

    private static func check(_ window: AnalyticsRPC.Window) throws {
        if let from = window.from, let to = window.to, from.description > to.description {
            throw Problem.validation(field: "from", "must not be after to")
        }
    }
}
