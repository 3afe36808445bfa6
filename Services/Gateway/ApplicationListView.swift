import Contracts
import Foundation
import ServiceKit

/// The application list as staff read it: each item with its analysis's `risk_score` (from
/// `approvals`, null until analysed), in one batched call a page. A client's list goes out as
/// `loans` sent it: a client reads their own analysis on the application itself.
struct ApplicationListView: Sendable {
    let forwarder: Forwarder

    /// What staff read beside each application.
    struct StaffFields: ContractType {
        @ExplicitNull var riskScore: String?
    }

    typealias Item = JoinedItem<Application, StaffFields>

    func joined(_ result: RPCResult, context: some CallerContext) async throws -> RPCResult {
        guard context.principal?.role.isStaff == true, var page = JoinedPage(result) else { return result }
        let ids = page.ids("id")
        guard !ids.isEmpty else { return result }
        let scores = try await forwarder.lookUp(ApprovalsRPC.RiskScores.self, ids, key: \.applicationID, context: context)
        try page.add { item in StaffFields(riskScore: JoinedPage.id(item, "id").flatMap { scores[$0] }?.riskScore) }
        return try page.result()
    }
}
