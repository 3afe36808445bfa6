import Contracts
import Foundation
import ServiceKit

/// The staff task list as a staff page shows it: each stage with its assignee's name (from `auth`)
/// and what it decides, the application's amount, product and applicant (from `loans`). One
/// batched call to each service a page, made together, never one a row.
struct TaskListView: Sendable {
    let forwarder: Forwarder

    /// `result`, a page of stages from `approvals`, with `assignee` and `application` on each item.
    func joined(_ result: RPCResult, context: GatewayContext) async throws -> RPCResult {
        guard var page = JoinedPage(result) else { return result }
        let (applicationIDs, assigneeIDs) = (page.ids("application_id"), page.ids("assignee_id"))
        async let summaries = applications(applicationIDs, context: context)
        async let names = staffNames(assigneeIDs, context: context)
        let (applications, staff) = try await (summaries, names)
        page.add { item in
            let assignee = JoinedPage.id(item, "assignee_id").map { id in
                JSONValue.object(["id": item["assignee_id"] ?? .null, "full_name": staff[id].map(JSONValue.string) ?? .null])
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

    private func applications(_ ids: [UUID], context: GatewayContext) async throws -> [UUID: ApplicationsRPC.Summary] {
        guard !ids.isEmpty else { return [:] }
        let answer = try await forwarder.call(ApplicationsRPC.Summaries.self, IDBatch(ids: ids), context: context)
        return Dictionary(try answer.decode(ApplicationsRPC.Summaries.Response.self).items.map { ($0.id, $0) }) { first, _ in first }
    }

    private func staffNames(_ ids: [UUID], context: GatewayContext) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let answer = try await forwarder.call(UsersRPC.StaffNames.self, IDBatch(ids: ids), context: context)
        return Dictionary(try answer.decode(UsersRPC.StaffNames.Response.self).items.map { ($0.id, $0.fullName) }) { first, _ in first }
    }
}
