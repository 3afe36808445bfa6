import Contracts
import Foundation
import ServiceKit

/// The application list as staff read it: each item with its analysis's `risk_score` (from
/// `approvals`, null until analysed), in one batched call a page. A client's list goes out as
/// `loans` sent it: a client reads their own analysis on the application itself.
struct ApplicationListView: Sendable {
    let forwarder: Forwarder

    func joined(_ result: RPCResult, context: GatewayContext) async throws -> RPCResult {
        guard context.principal?.role.isStaff == true, var page = JoinedPage(result) else { return result }
        let ids = page.ids("id")
        guard !ids.isEmpty else { return result }
        let answer = try await forwarder.call(ApprovalsRPC.RiskScores.self, IDBatch(ids: ids), context: context)
        let scores = Dictionary(try answer.decode(ApprovalsRPC.RiskScores.Response.self).items.map { ($0.applicationID, $0.riskScore) }) { first, _ in first }
        page.add { item in ["risk_score": JoinedPage.id(item, "id").flatMap { scores[$0] }.map(JSONValue.string) ?? .null] }
        return try page.result()
    }
}
