import Contracts
import Foundation
import Persistence
import PostgresNIO
import ServiceKit

/// Gives a stage its approver and its due time, and says so on the bus.
struct StageAssignment: Sendable {
    let database: Database
    let workflows: WorkflowStore
    let staff: StaffDirectory

    /// Gives `stage` to the least-loaded active member of its role who has not decided another
    /// level of the application (maker-checker) and is not in `excluded`. With nobody to give it
    /// to, it stays with `fallback`, or unassigned until the SLA sweep finds someone.
    @discardableResult
    func assignLeastLoaded(
        _ stage: ApprovalStage, reason: ApprovalsEvents.StageAssigned.Reason, policy: ApprovalPolicy, excluding excluded: [UUID] = [],
        fallback: UUID? = nil, on connection: PostgresConnection
    ) async throws -> UUID? {
        let deciders = try await workflows.deciders(of: stage.applicationID, on: connection)
        let assignee = try await staff.assignLeastLoaded(stage.role, excluding: deciders + excluded, on: connection) ?? fallback
        try await give(stage, to: assignee, reason: reason, policy: policy, on: connection)
        return assignee
    }

    /// Gives `stage` to `assignee` with a fresh due time (a reassignment by `actor`, or the same
    /// approver again when documents came in).
    func give(
        _ stage: ApprovalStage, to assignee: UUID?, reason: ApprovalsEvents.StageAssigned.Reason, policy: ApprovalPolicy,
        by actor: UUID? = nil, on connection: PostgresConnection
    ) async throws {
        if reason == .reassigned, let assignee { try await staff.markAssigned(assignee, on: connection) }
        let dueAt = Date().addingTimeInterval(TimeInterval(PolicyRules.slaHours(of: stage.role, under: policy) * 3600))
        try await workflows.assign(
            stage.id, to: assignee, dueAt: dueAt, resuming: reason == .resumed, escalated: reason == .escalated, on: connection)
        try await database.outbox.publish(
            ApprovalsEvents.StageAssigned(
                applicationID: stage.applicationID, stageID: stage.id, level: stage.level, role: stage.role, assigneeID: assignee,
                dueAt: dueAt, reason: reason, actorID: actor, occurredAt: Date()), on: connection)
    }
}
