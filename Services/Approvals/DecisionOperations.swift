import Contracts
import Foundation
import Persistence
import PostgresNIO
import ServiceKit

/// `POST /applications/{id}/decisions`. Decisions on one application are serialised by the lock on
/// its workflow, so of two decisions on one stage exactly one is made; the other finds the stage
/// decided and is refused.
struct DecisionOperations: Sendable {
    let database: Database
    let workflows: WorkflowStore
    let policies: PolicyStore
    let assignment: StageAssignment
    let services: any ServiceCalling

    func register(on rpc: inout RPCHandlers) {
        rpc.on(ApprovalsRPC.Decide.self) { request, context in
            try await decide(request, context)
        }
    }

    /// What the decision means for the application in `loans`, if it moves it.
    private struct ApplicationMove: Sendable {
        let messageID: String
        let status: ApplicationStatus
        let documents: [DocumentType]
        let sequence: Int
    }

    private func decide(_ request: ApprovalsRPC.Decide.Request, _ context: RPCContext) async throws -> RPCReply<Empty> {
        let caller = try context.requireRole(Set(Role.allCases.filter(\.isStaff)))
        let id = request.applicationID
        // Asked before the lock, not under it: an upload or waiver meanwhile only lets more through.
        let missing = request.decision == .approve ? try await missingDocuments(of: id, context) : []
        let move = try await database.transaction { connection -> ApplicationMove? in
            guard let current = try await workflows.lock(id, on: connection) else { throw Problem.notFound("No such application.") }
            let stages = try await workflows.stages(of: id, on: connection)
            let open = stages.first { $0.status == .open }
            let situation = DecisionRules.Situation(
                workflowStatus: current.status, risk: current.risk, stage: open, deciders: stages.compactMap(\.decidedBy))
            if let refusal = DecisionRules.refusal(request, by: caller, in: situation) { throw refusal }
            guard let stage = open else { return nil }
            let isFinal = !stages.contains { $0.level > stage.level }
            if isFinal, let refusal = DecisionRules.missingDocumentsRefusal(missing) { throw refusal }
            return try await apply(request, to: stage, of: stages, by: caller.userID, on: connection)
        }
        if let move {
            await record(move, of: id, by: caller.userID, context)
        }
        return .ok(Empty())
    }

    /// The product's required documents the application has neither uploaded nor had waived,
    /// as `loans` (which keeps documents and waivers) sees them.
    private func missingDocuments(of application: UUID, _ context: RPCContext) async throws -> [DocumentType] {
        try await services.call(
            ApplicationsRPC.Get.self, .init(id: application), principal: context.principal, requestID: context.requestID
        ).decode(Application.self).missingDocuments
    }

    private func apply(
        _ request: ApprovalsRPC.Decide.Request, to stage: ApprovalStage, of stages: [ApprovalStage], by approver: UUID,
        on connection: PostgresConnection
    ) async throws -> ApplicationMove? {
        let id = stage.applicationID
        let comment = request.comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        try await workflows.decide(stage.id, by: approver, request.decision, comment: comment, on: connection)
        try await database.outbox.publish(
            ApprovalsEvents.StageDecided(
                applicationID: id, stageID: stage.id, level: stage.level, role: stage.role, decidedBy: approver, decision: request.decision,
                comment: comment, occurredAt: Date()), on: connection)
        switch request.decision {
        case .approve:
            if let next = stages.first(where: { $0.level == stage.level + 1 }) {
                let policy = try await policies.current(on: connection)
                try await assignment.assignLeastLoaded(next, reason: .opened, policy: policy, on: connection)
                return nil
            }
            try await workflows.setStatus(id, .approved, on: connection)
            let sequence = try await workflows.nextEventSequence(id, on: connection)
            let messageID = try await database.outbox.publish(
                ApprovalsEvents.Approved(applicationID: id, decidedBy: approver, occurredAt: Date(), sequence: sequence), on: connection)
            return ApplicationMove(messageID: messageID, status: .approved, documents: [], sequence: sequence)
        case .reject:
            try await workflows.setStatus(id, .rejected, on: connection)
            try await workflows.cancelRemaining(id, on: connection)
            let sequence = try await workflows.nextEventSequence(id, on: connection)
            let messageID = try await database.outbox.publish(
                ApprovalsEvents.Rejected(applicationID: id, decidedBy: approver, reason: comment, occurredAt: Date(), sequence: sequence),
                on: connection)
            return ApplicationMove(messageID: messageID, status: .rejected, documents: [], sequence: sequence)
        case .requestDocuments:
            let documents = request.documents ?? []
            let sequence = try await workflows.nextEventSequence(id, on: connection)
            let messageID = try await database.outbox.publish(
                ApprovalsEvents.DocumentsRequested(
                    applicationID: id, documents: documents, requestedBy: approver, occurredAt: Date(), sequence: sequence),
                on: connection)
            return ApplicationMove(messageID: messageID, status: .documentsRequested, documents: documents, sequence: sequence)
        }
    }

    /// Has `loans` apply the move now, so the caller's next read shows it. Best effort: the
    /// decision's event applies the same move (once, by the same message id) if this fails.
    private func record(_ move: ApplicationMove, of id: UUID, by approver: UUID, _ context: RPCContext) async {
        do {
            let result = try await services.call(
                ApplicationsRPC.RecordDecision.self,
                .init(
                    messageID: move.messageID, applicationID: id, status: move.status, actorID: approver,
                    requestedDocuments: move.documents, sequence: move.sequence),
                principal: context.principal, requestID: context.requestID)
            if result.status >= 300 { context.logger.warning("loans refused the decision", metadata: ["status": "\(result.status)"]) }
        } catch {
            context.logger.warning("loans did not record the decision; its event will", metadata: ["error": "\(error)"])
        }
    }
}
