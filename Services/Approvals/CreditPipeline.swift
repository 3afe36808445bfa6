import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// The workflow's reactions to the rest of the pipeline, each once per message (inbox) and in one
/// transaction with the events it causes (outbox): a submitted application goes to analysis; a
/// finished analysis is declined by policy or gets its approval chain; uploaded documents resume
/// the stage that asked for them; a withdrawal ends the workflow.
struct CreditPipeline: Sendable {
    let database: Database
    let workflows: WorkflowStore
    let policies: PolicyStore
    let assignment: StageAssignment

    /// The events `approvals.events` is bound to for the pipeline.
    static let routingKeys = [
        LoansEvents.ApplicationSubmitted.routingKey, LoansEvents.DocumentUploaded.routingKey,
        LoansEvents.ApplicationStatusChanged.routingKey, AnalysisEvents.Completed.routingKey,
    ]

    func register(on handlers: inout MessageHandlers) {
        handlers.on(LoansEvents.ApplicationSubmitted.self) { submitted, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await analyse(submitted, on: connection)
            }
        }
        handlers.on(AnalysisEvents.Completed.self) { result, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await decide(result, context.logger, on: connection)
            }
        }
        handlers.on(LoansEvents.DocumentUploaded.self) { upload, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await resume(upload.applicationID, on: connection)
            }
        }
        handlers.on(LoansEvents.ApplicationStatusChanged.self) { change, context in
            guard change.to == .withdrawn else { return }
            try await database.processOnce(messageID: context.messageID) { connection in
                guard let current = try await workflows.lock(change.applicationID, on: connection),
                    current.status == .analysing || current.status == .deciding
                else { return }
                try await workflows.setStatus(change.applicationID, .withdrawn, on: connection)
                try await workflows.cancelRemaining(change.applicationID, on: connection)
            }
        }
    }

    private func analyse(_ submitted: LoansEvents.ApplicationSubmitted, on connection: PostgresConnection) async throws {
        guard try await workflows.open(submitted, on: connection) else { return }
        try await database.outbox.publish(
            ApprovalsEvents.AnalysisStarted(
                applicationID: submitted.applicationID, occurredAt: Date(),
                sequence: try await workflows.nextEventSequence(submitted.applicationID, on: connection)),
            on: connection)
        try await database.outbox.publish(
            AnalysisEvents.Requested(
                applicationID: submitted.applicationID, customerID: submitted.customerID, amount: submitted.amount,
                termMonths: submitted.termMonths, annualRate: submitted.annualRate, instalment: submitted.instalment,
                snapshot: submitted.snapshot, requestedAt: Date()), on: connection)
    }

    private func decide(_ result: AnalysisEvents.Completed, _ logger: Logger, on connection: PostgresConnection) async throws {
        let id = result.applicationID
        guard let current = try await workflows.lock(id, on: connection) else {
            logger.warning("analysis of an application without a workflow", metadata: ["application_id": "\(id)"])
            return
        }
        guard current.status == .analysing else { return }
        guard let risk = Decimal(string: result.riskScore), (0...1).contains(risk) else {
            throw Problem.validation(field: "risk_score", "must be a decimal in [0, 1]")
        }
        try await workflows.recordAnalysis(id, ApplicationAnalysis(result), risk: risk, on: connection)
        let policy = try await policies.current(on: connection)
        if PolicyRules.declinesAutomatically(risk: risk, under: policy) {
            try await workflows.setStatus(id, .rejected, on: connection)
            try await database.outbox.publish(
                ApprovalsEvents.Rejected(
                    applicationID: id, decidedBy: nil, reason: (["RISK_TOO_HIGH"] + result.reasonCodes).joined(separator: ","),
                    occurredAt: Date(), sequence: try await workflows.nextEventSequence(id, on: connection)), on: connection)
            return
        }
        _ = try await workflows.insertStages(id, roles: PolicyRules.chain(for: current.amount, under: policy), on: connection)
        try await workflows.setStatus(id, .deciding, on: connection)
        try await database.outbox.publish(
            ApprovalsEvents.AwaitingDecision(
                applicationID: id, occurredAt: Date(), sequence: try await workflows.nextEventSequence(id, on: connection)),
            on: connection)
        if let first = try await workflows.stages(of: id, on: connection).first {
            try await assignment.assignLeastLoaded(first, reason: .opened, policy: policy, on: connection)
        }
    }

    private func resume(_ id: UUID, on connection: PostgresConnection) async throws {
        guard try await workflows.lock(id, on: connection)?.status == .deciding,
            let parked = try await workflows.stages(of: id, on: connection).first(where: \.awaitingDocuments)
        else { return }
        let policy = try await policies.current(on: connection)
        try await assignment.give(parked, to: parked.assigneeID, reason: .resumed, policy: policy, on: connection)
    }
}
