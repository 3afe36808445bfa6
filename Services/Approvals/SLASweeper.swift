import Contracts
import Foundation
import Logging
import Metrics
import Persistence
import ServiceKit

/// Approval stages past their SLA go to another member of the same role (the least loaded; the same
/// approver when there is nobody else), the next role up is told, and the breach is recorded on
/// the bus. Stages nobody could be given when they opened are given out as staff appear. Support tickets are
/// swept the same way (`TicketOperations.sweep`). Safe with
/// several replicas: one sweeps at a time (`transactionAlone`).
struct SLASweeper: Sendable {
    let database: Database
    let workflows: WorkflowStore
    let policies: PolicyStore
    let assignment: StageAssignment
    let tickets: TicketOperations
    let logger: Logger
    /// Stages handled per round, so one round's transaction stays short.
    static let batch = 100
    private static let breaches = MetricHandles(counters: "approvals_sla_breaches_total", dimensions: ["kind"])

    func periodically(every interval: Duration) -> PeriodicTask {
        PeriodicTask("SLA sweep", every: interval, logger: logger) {
            let (stages, tickets) = try await sweep()
            Self.breaches("stage").increment(by: stages)
            Self.breaches("ticket").increment(by: tickets)
            if stages + tickets > 0 { logger.info("escalated past their SLA", metadata: ["stages": "\(stages)", "tickets": "\(tickets)"]) }
        }
    }

    /// One round; returns how many stages and tickets it escalated.
    func sweep() async throws -> (stages: Int, tickets: Int) {
        try await database.transactionAlone(lock: "approvals:sla-sweep") { connection in
            let policy = try await policies.current(on: connection)
            for stage in try await workflows.unassigned(limit: Self.batch, on: connection) {
                try await assignment.assignLeastLoaded(stage, reason: .opened, policy: policy, on: connection)
            }
            let overdue = try await workflows.overdue(limit: Self.batch, on: connection)
            for stage in overdue {
                let previous = stage.assigneeID
                let assignee = try await assignment.assignLeastLoaded(
                    stage, reason: .escalated, policy: policy, excluding: previous.map { [$0] } ?? [], fallback: previous, on: connection)
                try await database.outbox.publish(
                    ApprovalsEvents.SLABreached(
                        applicationID: stage.applicationID, stageID: stage.id, level: stage.level, role: stage.role,
                        previousAssigneeID: previous, assigneeID: assignee, escalatedTo: PolicyRules.escalation(of: stage.role),
                        dueAt: stage.dueAt ?? Date(), occurredAt: Date()), on: connection)
            }
            return (overdue.count, try await tickets.sweep(limit: Self.batch, on: connection))
        } ?? (0, 0)
    }
}
