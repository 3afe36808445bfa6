import Contracts
import Foundation
import ServiceKit

/// The staff task list as a staff page shows it: each stage with its assignee's name (from `auth`)
/// and what it decides, the application's amount, product and applicant (from `loans`). One
/// batched call to each service a page, made together, never one a row.
struct TaskListView: Sendable {
    let forwarder: Forwarder

    /// What the list adds beside each stage.
    struct Added: ContractType {
        @ExplicitNull var assignee: Assignee?
        /// Nil only if `loans` no longer knows the application.
        @ExplicitNull var application: ApplicationFacts?
    }

    struct Assignee: ContractType, Equatable {
        var id: UUID
        @ExplicitNull var fullName: String?
    }

    struct ApplicationFacts: ContractType, Equatable {
        var amount: Money
        var productName: String
        @ExplicitNull var applicantName: String?
    }

    typealias Item = JoinedItem<ApprovalStage, Added>

    /// `result`, a page of stages from `approvals`, with `assignee` and `application` on each item.
    func joined(_ result: RPCResult, context: some CallerContext) async throws -> RPCResult {
        guard var page = JoinedPage(result) else { return result }
        let (applicationIDs, assigneeIDs) = (page.ids("application_id"), page.ids("assignee_id"))
        async let summaries = forwarder.lookUp(ApplicationsRPC.Summaries.self, applicationIDs, key: \.id, context: context)
        async let names = forwarder.lookUp(UsersRPC.StaffNames.self, assigneeIDs, key: \.id, context: context)
        let (applications, staff) = try await (summaries, names)
        try page.add { item in
            Added(
                assignee: JoinedPage.id(item, "assignee_id").map { Assignee(id: $0, fullName: staff[$0]?.fullName) },
                application: JoinedPage.id(item, "application_id").flatMap { applications[$0] }.map {
                    ApplicationFacts(amount: $0.amount, productName: $0.productName, applicantName: $0.applicantName)
                })
        }
        return try page.result()
    }
}
