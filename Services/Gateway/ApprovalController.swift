import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Approval work: decisions on applications, staff tasks, and the approval policy.
struct ApprovalController {
    let support: RouteSupport
    private var forwarder: Forwarder { support.forwarder }

    struct DecisionBody: Codable {
        let decision: ApprovalDecision
        let comment: String?
        let documents: [DocumentType]?
    }

    struct ReassignBody: Codable {
        let assigneeID: UUID
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.post("applications/:id/decisions", use: decide)
        routes.get("approvals/tasks", use: tasks)
        routes.post("approvals/tasks/:id/reassign", use: reassign)
        routes.get("approvals/policy", use: policy)
        routes.put("approvals/policy", use: replacePolicy)
        return routes
    }

    /// Answers the application as it now is, as `GET /applications/{id}` would.
    @Sendable func decide(_ request: Request, context: SignedIn) async throws -> Response {
        let id = try RouteSupport.pathID(context, "application")
        let body = try await support.body.json(DecisionBody.self, from: request)
        let decide = ApprovalsRPC.Decide.Request(
            applicationID: id, decision: body.decision, comment: body.comment, documents: body.documents)
        let decided = try await forwarder.call(ApprovalsRPC.Decide.self, decide, context: context)
        guard decided.status < 300 else { return HTTPReply.response(decided) }
        return try await ApplicationView(forwarder: forwarder).current(id, context: context)
    }

    @Sendable func tasks(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let list = ApprovalsRPC.ListTasks.Request(
            page: try query.page(), assignee: try query.string("assignee"),
            status: try query.value("status", as: ApprovalStage.Status.self),
            role: try query.value("role", as: Role.self), applicationID: try query.uuid("application_id"),
            overdue: try query.bool("overdue"))
        let tasks = try await forwarder.call(ApprovalsRPC.ListTasks.self, list, context: context)
        return Forwarder.list(try await TaskListView(forwarder: forwarder).joined(tasks, context: context))
    }

    @Sendable func reassign(_ request: Request, context: SignedIn) async throws -> Response {
        let body = try await support.body.json(ReassignBody.self, from: request)
        let reassign = ApprovalsRPC.Reassign.Request(stageID: try RouteSupport.pathID(context, "task"), assigneeID: body.assigneeID)
        return try await forwarder.forward(ApprovalsRPC.Reassign.self, reassign, context: context)
    }

    @Sendable func policy(_ request: Request, context: SignedIn) async throws -> Response {
        try await forwarder.forwardResource(ApprovalsRPC.GetPolicy.self, Empty(), context: context)
    }

    @Sendable func replacePolicy(_ request: Request, context: SignedIn) async throws -> Response {
        let policy = try await support.body.json(ApprovalPolicy.self, from: request)
        let put = ApprovalsRPC.PutPolicy.Request(policy: policy, expectedVersion: try Query(request: request).expectedVersion())
        return try await forwarder.forwardResource(ApprovalsRPC.PutPolicy.self, put, context: context)
    }
}
