import Contracts
import Foundation
import Persistence
import ServiceKit

/// What staff see of the approval work, and how a manager moves it: an application's chain, the
/// task list, reassignment.
struct TaskOperations: Sendable {
    let database: Database
    let workflows: WorkflowStore
    let policies: PolicyStore
    let staff: StaffDirectory
    let assignment: StageAssignment

    /// Every role but the client's.
    static let staffRoles = Set(Role.allCases.filter(\.isStaff))
    /// Roles that see everyone's tasks and hand them to others.
    static let supervisors: Set<Role> = [.manager, .director, .admin, .superAdmin]
    static let reassigners: Set<Role> = [.manager, .director, .admin, .superAdmin]

    func register(on rpc: inout RPCHandlers) {
        rpc.on(ApprovalsRPC.GetWorkflow.self) { request, context in
            let caller = try context.requireRole(Set(Role.allCases))
            guard let workflow = try await workflows.analysis(of: request.id) else {
                // Submitted, not yet picked up: no analysis and no chain yet.
                return .ok(ApprovalsRPC.Workflow(analysis: nil, stages: []))
            }
            guard caller.role.isStaff || workflow.customerID == caller.userID else { throw Problem.notFound("No such application.") }
            return .ok(ApprovalsRPC.Workflow(analysis: workflow.analysis, stages: try await workflows.stages(of: request.id)))
        }
        rpc.on(ApprovalsRPC.RiskScores.self) { request, context in
            _ = try context.requireRole(Self.staffRoles)
            if !request.problems.isEmpty { throw Problem.validation(request.problems) }
            return .ok(BatchAnswer(items: try await workflows.riskScores(of: request.ids)))
        }
        rpc.on(ApprovalsRPC.ListTasks.self) { request, context in
            try await list(request, context)
        }
        rpc.on(ApprovalsRPC.Reassign.self) { request, context in
            try await reassign(request, context)
        }
    }

    private func list(_ request: ApprovalsRPC.ListTasks.Request, _ context: RPCContext) async throws -> RPCReply<Page<ApprovalStage>> {
        let caller = try context.requireRole(Self.staffRoles)
        if !request.page.problems.isEmpty { throw Problem.validation(request.page.problems) }
        var filter = WorkflowStore.TaskFilter(
            status: request.status, role: request.role, applicationID: request.applicationID, overdue: request.overdue)
        switch request.assignee {
        case nil:
            filter.assignee = caller.userID
        case "any":
            guard Self.supervisors.contains(caller.role) else { throw Problem.forbidden("Your role sees its own tasks only.") }
        case let text?:
            guard let id = UUID(uuidString: text) else { throw Problem.validation(field: "assignee", "must be \"any\" or a user id") }
            guard id == caller.userID || Self.supervisors.contains(caller.role) else {
                throw Problem.forbidden("Your role sees its own tasks only.")
            }
            filter.assignee = id
        }
        let (total, items) = try await workflows.tasks(filter, page: request.page)
        return .ok(Page(items: items, request: request.page, total: total))
    }

    private func reassign(_ request: ApprovalsRPC.Reassign.Request, _ context: RPCContext) async throws -> RPCReply<ApprovalStage> {
        let actor = try context.requireRole(Self.reassigners)
        let stage = try await database.transaction { connection -> ApprovalStage in
            guard let found = try await workflows.stage(request.stageID, on: connection),
                try await workflows.lock(found.applicationID, on: connection) != nil,
                let stage = try await workflows.stage(request.stageID, on: connection)
            else { throw Problem.notFound("No such task.") }
            guard stage.status == .open else { throw Problem.conflict("Only an open stage can be reassigned.", slug: "illegal-transition") }
            guard try await staff.isActive(request.assigneeID, role: stage.role, on: connection) else {
                throw Problem.validation(field: "assignee_id", "must be an active \(stage.role.rawValue)")
            }
            if try await workflows.deciders(of: stage.applicationID, on: connection).contains(request.assigneeID) {
                throw Problem.validation(field: "assignee_id", "decided another level of this application (maker-checker)")
            }
            let policy = try await policies.current(on: connection)
            try await assignment.give(stage, to: request.assigneeID, reason: .reassigned, policy: policy, by: actor.userID, on: connection)
            return try await workflows.stage(request.stageID, on: connection) ?? stage
        }
        return .ok(stage)
    }
}
