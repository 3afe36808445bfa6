import Contracts
import Foundation
import ServiceKit

/// The staff task list as a staff page shows it: each stage with its assignee's name (from `auth`)
/// and what it decides, the application's amount, product and applicant (from `loans`). One
/// batched call to each service a page, made together, never one a row.
struct TaskListView: Sendable {
    let forwarder: Forwarder

    /// `result`, a page of stages from `approvals`, with `assignee` and `application` on each item.
    func joined(_ result: RPCResult, context: some CallerContext) async throws -> RPCResult {
        guard var page = JoinedPage(result) else { return result }
        let (applicationIDs, assigneeIDs) = (page.ids("application_id"), page.ids("assignee_id"))
        async let summaries = forwarder.lookUp(ApplicationsRPC.Summaries.self, applicationIDs, key: \.id, context: context)
        async let names = forwarder.lookUp(UsersRPC.StaffNames.self, assigneeIDs, key: \.id, context: context)
        let (applications, staff) = try await (summaries, names)
        page.add { item in
            let assignee = JoinedPage.id(item, "assignee_id").map { id in
                JSONValue.object(["id": item["assignee_id"] ?? .null, "full_name": staff[id].map { .string($0.fullName) } ?? .null])
            }
            let application = JoinedPage.id(item, "application_id").flatMap { applications[$0] }.map { summary in
                JSONValue.object([
                    "amount": .string(summary.amount.description), "product_name": .string(summary.productName),
                    "applicant_name": summary.applicantName.map(JSONValue.string) ?? .null,
                ])
            }
            return ["assignee": assignee ?? .null, "application": application ?? .null]
        }
        return try page.result()
    }
}
