import Foundation

/// Events `approvals` publishes about a credit request; `loans` moves the application with them.
public enum ApprovalsEvents {
    /// The workflow opened and the request went to the analysis workers.
    public struct AnalysisStarted: DomainEvent, Equatable {
        public static let type = "approvals.application.analysis_started.v1"
        public var applicationID: UUID
        public var occurredAt: Date

        public init(applicationID: UUID, occurredAt: Date) {
            self.applicationID = applicationID
            self.occurredAt = occurredAt
        }
    }

    /// Analysis done, not declined: the first stage waits for its approver.
    public struct AwaitingDecision: DomainEvent, Equatable {
        public static let type = "approvals.application.awaiting_decision.v1"
        public var applicationID: UUID
        public var occurredAt: Date

        public init(applicationID: UUID, occurredAt: Date) {
            self.applicationID = applicationID
            self.occurredAt = occurredAt
        }
    }

    public struct DocumentsRequested: DomainEvent, Equatable {
        public static let type = "approvals.application.documents_requested.v1"
        public var applicationID: UUID
        public var documents: [DocumentType]
        public var requestedBy: UUID
        public var occurredAt: Date

        public init(applicationID: UUID, documents: [DocumentType], requestedBy: UUID, occurredAt: Date) {
            self.applicationID = applicationID
            self.documents = documents
            self.requestedBy = requestedBy
            self.occurredAt = occurredAt
        }
    }

    public struct Approved: DomainEvent, Equatable {
        public static let type = "approvals.application.approved.v1"
        public var applicationID: UUID
        /// The approver of the last stage.
        public var decidedBy: UUID?
        public var occurredAt: Date

        public init(applicationID: UUID, decidedBy: UUID?, occurredAt: Date) {
            self.applicationID = applicationID
            self.decidedBy = decidedBy
            self.occurredAt = occurredAt
        }
    }

    public struct Rejected: DomainEvent, Equatable {
        public static let type = "approvals.application.rejected.v1"
        public var applicationID: UUID
        /// Nil when policy declined it automatically (risk too high).
        public var decidedBy: UUID?
        public var reason: String?
        public var occurredAt: Date

        public init(applicationID: UUID, decidedBy: UUID?, reason: String?, occurredAt: Date) {
            self.applicationID = applicationID
            self.decidedBy = decidedBy
            self.reason = reason
            self.occurredAt = occurredAt
        }
    }
}
