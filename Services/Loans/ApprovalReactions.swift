import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit
import Synchronization

/// Moves applications as `approvals` decides, once per event (inbox), in the same transaction as
/// the move, its timeline entry and the status-changed event for notifications and analytics.
struct ApprovalReactions: Sendable {
    /// The routing keys `loans.events` is bound to.
    static let routingKeys = ["approvals.application.#"]

    let database: Database
    let store: ApplicationStore
    let lists: ClientLists

    func register(on handlers: inout MessageHandlers) {
        handlers.on(ApprovalsEvents.AnalysisStarted.self) { event, context in
            try await move(by: event, to: .underAnalysis, actor: nil, context)
        }
        handlers.on(ApprovalsEvents.AwaitingDecision.self) { event, context in
            try await move(by: event, to: .pendingApproval, actor: nil, context)
        }
        handlers.on(ApprovalsEvents.DocumentsRequested.self) { event, context in
            try await move(by: event, to: .documentsRequested, actor: event.requestedBy, context) { connection in
                try await store.setRequestedDocuments(event.applicationID, event.documents, on: connection)
            }
        }
        handlers.on(ApprovalsEvents.Approved.self) { event, context in
            try await move(by: event, to: .approved, actor: event.decidedBy, context)
        }
        handlers.on(ApprovalsEvents.Rejected.self) { event, context in
            try await move(by: event, to: .rejected, actor: event.decidedBy, context)
        }
    }

    /// The same moves asked for synchronously by `approvals` right after a decision, under the
    /// decision event's message id (see `ApplicationsRPC.RecordDecision`).
    func register(on rpc: inout RPCHandlers) {
        rpc.on(ApplicationsRPC.RecordDecision.self) { request, context in
            _ = try context.requireRole(Set(Role.allCases.filter(\.isStaff)))
            guard Self.decided.contains(request.status) else {
                throw Problem.validation(field: "status", "must be approved, rejected or documents_requested")
            }
            let decision = MessageContext(messageID: request.messageID, logger: context.logger)
            do {
                try await move(
                    request.applicationID, to: request.status, sequence: request.sequence, actor: request.actorID, decision
                ) { connection in
                    if request.status == .documentsRequested {
                        try await store.setRequestedDocuments(request.applicationID, request.requestedDocuments, on: connection)
                    }
                }
            } catch is DecisionArrivedEarly {
                // The decision's event will apply it once the earlier move is in.
            }
            return .ok(Empty())
        }
    }

    private static let decided: Set<ApplicationStatus> = [.approved, .rejected, .documentsRequested]

    private func move(
        by event: some ApplicationMoveEvent, to next: ApplicationStatus, actor: UUID?, _ context: MessageContext,
        alongside extra: @Sendable (PostgresConnection) async throws -> Void = { _ in }
    ) async throws {
        try await move(event.applicationID, to: next, sequence: event.sequence, actor: actor, context, alongside: extra)
    }

    /// Applies approvals' events of one application in the order approvals made them, whatever
    /// order they arrive in: one that overtook an earlier one is retried until the earlier one is in
    /// (so every state the application passed through is in its timeline, in order). A move the
    /// lifecycle no longer allows (the client withdrew meanwhile) is recorded as processed and logged.
    private func move(
        _ id: UUID, to next: ApplicationStatus, sequence: Int?, actor: UUID?, _ context: MessageContext,
        alongside extra: @Sendable (PostgresConnection) async throws -> Void = { _ in }
    ) async throws {
        let customer = Mutex<UUID?>(nil)
        try await database.processOnce(messageID: context.messageID) { connection in
            guard let current = try await store.lock(id, on: connection) else {
                context.logger.warning("decision about an unknown application", metadata: ["application_id": "\(id)"])
                return
            }
            switch ApplicationLifecycle.arrival(of: next, numbered: sequence, at: current.status, applied: current.approvalsSequence) {
            case .early: throw DecisionArrivedEarly(status: current.status, wanted: next)
            case .stale: return
            case .inOrder: break
            }
            guard ApplicationLifecycle.canMove(from: current.status, to: next) else {
                context.logger.info(
                    "decision does not apply any more",
                    metadata: ["application_id": "\(id)", "status": "\(current.status.rawValue)", "wanted": "\(next.rawValue)"])
                if let sequence { try await store.skipApprovalsEvent(id, sequence: sequence, on: connection) }
                return
            }
            _ = try await store.move(id, from: current, to: next, actor: actor, approvalsSequence: sequence, on: connection)
            customer.withLock { $0 = current.customerID }
            try await extra(connection)
        }
        if let moved = customer.withLock({ $0 }) { await lists.invalidate(moved) }
    }
}

/// Thrown (so the message is retried later) when a decision arrives before the one it follows.
struct DecisionArrivedEarly: Error, CustomStringConvertible {
    let status: ApplicationStatus
    let wanted: ApplicationStatus

    var description: String { "the application is \(status.rawValue), not yet ready for \(wanted.rawValue)" }
}
