import Foundation

/// An event of `approvals` that moves an application in `loans`. The events of one application
/// are numbered 1, 2, 3… in the order `approvals` made them (`sequence`), so `loans` applies them
/// in that order whatever order the bus hands them over in: under load a consumer handles several
/// deliveries at once, and a retried one comes back after those behind it.
public protocol ApplicationMoveEvent: DomainEvent {
    var applicationID: UUID { get }
    /// Absent in events published before it was added; those are applied as they come.
    var sequence: Int? { get }
}

/// Events `approvals` publishes about a credit request; `loans` moves the application with them.
public enum ApprovalsEvents {
    /// The workflow opened and the request went to the analysis workers.
    public struct AnalysisStarted: ApplicationMoveEvent, Equatable {
        public static let type = "approvals.application.analysis_started.v1"
        public var applicationID: UUID
        public var occurredAt: Date
        public var sequence: Int?

        public init(applicationID: UUID, occurredAt: Date, sequence: Int?) {
            self.applicationID = applicationID
            self.occurredAt = occurredAt
            self.sequence = sequence
        }
    }

    /// Analysis done, not declined: the first stage waits for its approver.
    public struct AwaitingDecision: ApplicationMoveEvent, Equatable {
        public static let type = "approvals.application.awaiting_decision.v1"
        public var applicationID: UUID
        public var occurredAt: Date
        public var sequence: Int?

        public init(applicationID: UUID, occurredAt: Date, sequence: Int?) {
            self.applicationID = applicationID
            self.occurredAt = occurredAt
            self.sequence = sequence
        }
    }

    public struct DocumentsRequested: ApplicationMoveEvent, Equatable {
        public static let type = "approvals.application.documents_requested.v1"
        public var applicationID: UUID
        public var documents: [DocumentType]
        public var requestedBy: UUID
        public var occurredAt: Date
        public var sequence: Int?

        public init(applicationID: UUID, documents: [DocumentType], requestedBy: UUID, occurredAt: Date, sequence: Int?) {
            self.applicationID = applicationID
            self.documents = documents
            self.requestedBy = requestedBy
            self.occurredAt = occurredAt
            self.sequence = sequence
        }
    }

    public struct Approved: ApplicationMoveEvent, Equatable {
        public static let type = "approvals.application.approved.v1"
        public var applicationID: UUID
        /// The approver of the last stage.
        public var decidedBy: UUID?
        public var occurredAt: Date
        public var sequence: Int?

        public init(applicationID: UUID, decidedBy: UUID?, occurredAt: Date, sequence: Int?) {
            self.applicationID = applicationID
            self.decidedBy = decidedBy
            self.occurredAt = occurredAt
            self.sequence = sequence
        }
    }

    public struct Rejected: ApplicationMoveEvent, Equatable {
        public static let type = "approvals.application.rejected.v1"
        public var applicationID: UUID
        /// Nil when policy declined it automatically (risk too high).
        public var decidedBy: UUID?
        public var reason: String?
        public var occurredAt: Date
        public var sequence: Int?

        public init(applicationID: UUID, decidedBy: UUID?, reason: String?, occurredAt: Date, sequence: Int?) {
            self.applicationID = applicationID
            self.decidedBy = decidedBy
            self.reason = reason
            self.occurredAt = occurredAt
            self.sequence = sequence
        }
    }
}

extension ApprovalsEvents {
    /// A stage got an approver to act: it opened, resumed after documents came in, or changed hands.
    public struct StageAssigned: DomainEvent, Equatable {
        public enum Reason: String, Codable, Sendable {
            case opened, resumed, reassigned, escalated
        }

        public static let type = "approvals.stage.assigned.v1"
        public var applicationID: UUID
        public var stageID: UUID
        public var level: Int
        public var role: Role
        /// Nil while nobody of the role is active; the SLA sweep assigns it when someone is.
        public var assigneeID: UUID?
        public var dueAt: Date
        public var reason: Reason
        /// Who handed it over, for a reassignment.
        public var actorID: UUID?
        public var occurredAt: Date

        public init(
            applicationID: UUID, stageID: UUID, level: Int, role: Role, assigneeID: UUID?, dueAt: Date, reason: Reason,
            actorID: UUID? = nil,
            occurredAt: Date
        ) {
            self.applicationID = applicationID
            self.stageID = stageID
            self.level = level
            self.role = role
            self.assigneeID = assigneeID
            self.dueAt = dueAt
            self.reason = reason
            self.actorID = actorID
            self.occurredAt = occurredAt
        }
    }

    /// An administrator saved a new approval policy.
    public struct PolicyUpdated: DomainEvent, Equatable {
        public static let type = "approvals.policy.updated.v1"
        public var version: Int
        public var actorID: UUID
        public var actorRole: Role
        public var occurredAt: Date

        public init(version: Int, actorID: UUID, actorRole: Role, occurredAt: Date) {
            self.version = version
            self.actorID = actorID
            self.actorRole = actorRole
            self.occurredAt = occurredAt
        }
    }

    /// One approver's decision on one stage, for the audit log.
    public struct StageDecided: DomainEvent, Equatable {
        public static let type = "approvals.stage.decided.v1"
        public var applicationID: UUID
        public var stageID: UUID
        public var level: Int
        public var role: Role
        public var decidedBy: UUID
        public var decision: ApprovalDecision
        public var comment: String?
        public var occurredAt: Date

        public init(
            applicationID: UUID, stageID: UUID, level: Int, role: Role, decidedBy: UUID, decision: ApprovalDecision, comment: String?,
            occurredAt: Date
        ) {
            self.applicationID = applicationID
            self.stageID = stageID
            self.level = level
            self.role = role
            self.decidedBy = decidedBy
            self.decision = decision
            self.comment = comment
            self.occurredAt = occurredAt
        }
    }

    /// A stage passed its SLA: it was handed to another member of its role (when there is one) and
    /// `escalatedTo` (the next role up) is told.
    public struct SLABreached: DomainEvent, Equatable {
        public static let type = "approvals.stage.sla_breached.v1"
        public var applicationID: UUID
        public var stageID: UUID
        public var level: Int
        public var role: Role
        public var previousAssigneeID: UUID?
        public var assigneeID: UUID?
        public var escalatedTo: Role
        public var dueAt: Date
        public var occurredAt: Date

        public init(
            applicationID: UUID, stageID: UUID, level: Int, role: Role, previousAssigneeID: UUID?, assigneeID: UUID?, escalatedTo: Role,
            dueAt: Date, occurredAt: Date
        ) {
            self.applicationID = applicationID
            self.stageID = stageID
            self.level = level
            self.role = role
            self.previousAssigneeID = previousAssigneeID
            self.assigneeID = assigneeID
            self.escalatedTo = escalatedTo
            self.dueAt = dueAt
            self.occurredAt = occurredAt
        }
    }
}

public enum ApprovalDecision: String, Codable, Sendable {
    case approve, reject
    case requestDocuments = "request_documents"
}

/// One level of an application's approval chain (also what `GET /approvals/tasks` lists).
public struct ApprovalStage: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// A later level, not yet reached.
        case waiting
        case open
        case decided
        /// Never reached: an earlier level rejected, or the client withdrew.
        case cancelled
    }

    public var id: UUID
    public var applicationID: UUID
    public var level: Int
    public var role: Role
    public var status: Status
    public var assigneeID: UUID?
    public var decidedBy: UUID?
    public var decision: ApprovalDecision?
    public var comment: String?
    public var dueAt: Date?
    public var decidedAt: Date?
    /// Open and past its due time (never while it waits for the client's documents).
    public var overdue: Bool
    /// Open but parked until the client uploads the documents its approver asked for.
    public var awaitingDocuments: Bool

    public init(
        id: UUID, applicationID: UUID, level: Int, role: Role, status: Status, assigneeID: UUID?, decidedBy: UUID?,
        decision: ApprovalDecision?, comment: String?, dueAt: Date?, decidedAt: Date?, overdue: Bool, awaitingDocuments: Bool
    ) {
        self.id = id
        self.applicationID = applicationID
        self.level = level
        self.role = role
        self.status = status
        self.assigneeID = assigneeID
        self.decidedBy = decidedBy
        self.decision = decision
        self.comment = comment
        self.dueAt = dueAt
        self.decidedAt = decidedAt
        self.overdue = overdue
        self.awaitingDocuments = awaitingDocuments
    }
}

/// The credit analysis as it shows on an application.
public struct ApplicationAnalysis: Codable, Sendable, Equatable {
    public var score: Int
    public var riskScore: String
    public var dti: String?
    public var reasonCodes: [String]
    public var recommendation: AnalysisEvents.Recommendation
    public var scorecardVersion: String
    public var bureauUsed: Bool
    public var completedAt: Date

    public init(_ completed: AnalysisEvents.Completed) {
        score = completed.score
        riskScore = completed.riskScore
        dti = completed.dti
        reasonCodes = completed.reasonCodes
        recommendation = completed.recommendation
        scorecardVersion = completed.scorecardVersion
        bureauUsed = completed.bureauUsed
        completedAt = completed.completedAt
    }
}

/// Which roles approve a request of which amount, how long each may take, and the risk above which
/// a request is declined without a person.
public struct ApprovalPolicy: Codable, Sendable, Equatable {
    public struct Tier: Codable, Sendable, Equatable {
        /// The tier applies up to and including this amount; nil for the last tier (any amount).
        @ExplicitNull public var maxAmount: Money?
        /// The approval chain, first level first.
        public var roles: [Role]

        public init(maxAmount: Money?, roles: [Role]) {
            self.maxAmount = maxAmount
            self.roles = roles
        }
    }

    public var stages: [Tier]
    /// Hours each role has to decide, by role name.
    public var slaHours: [String: Int]
    /// A decimal string in (0, 0.75].
    public var autoDeclineRisk: String
    public var version: Int?
    public var updatedAt: Date?

    public init(stages: [Tier], slaHours: [String: Int], autoDeclineRisk: String, version: Int? = nil, updatedAt: Date? = nil) {
        self.stages = stages
        self.slaHours = slaHours
        self.autoDeclineRisk = autoDeclineRisk
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// Staff work, answered by `approvals`.
public enum ApprovalsRPC {
    public struct Workflow: Codable, Sendable, Equatable {
        public var analysis: ApplicationAnalysis?
        public var stages: [ApprovalStage]

        public init(analysis: ApplicationAnalysis?, stages: [ApprovalStage]) {
            self.analysis = analysis
            self.stages = stages
        }
    }

    /// The analysis and stages of one application (owner or staff).
    public enum GetWorkflow: ServiceOperation {
        public typealias Request = ApplicationsRPC.ByID
        public typealias Response = Workflow
        public static let service = ServiceName.approvals
        public static let name = "approvals.workflow.get.v1"
    }

    /// An analysed application's risk score, as its analysis writes it (`"0.4213"`).
    public struct RiskScore: Codable, Sendable, Equatable {
        public var applicationID: UUID
        public var riskScore: String

        public init(applicationID: UUID, riskScore: String) {
            self.applicationID = applicationID
            self.riskScore = riskScore
        }
    }

    /// The risk scores of a page of applications, for staff lists; one not analysed yet is left out.
    public enum RiskScores: ServiceOperation {
        public typealias Request = IDBatch
        public typealias Response = BatchAnswer<RiskScore>
        public static let service = ServiceName.approvals
        public static let name = "approvals.risk-scores.v1"
    }

    public enum Decide: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var applicationID: UUID
            public var decision: ApprovalDecision
            public var comment: String?
            public var documents: [DocumentType]?

            public init(applicationID: UUID, decision: ApprovalDecision, comment: String?, documents: [DocumentType]?) {
                self.applicationID = applicationID
                self.decision = decision
                self.comment = comment
                self.documents = documents
            }
        }

        /// The application's new state is read from `loans` and `approvals` by the caller.
        public typealias Response = Empty
        public static let service = ServiceName.approvals
        public static let name = "approvals.decide.v1"
    }

    public enum ListTasks: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var page: PageRequest
            /// Nil: the caller's own stages; "any": everyone's; else one staff member's id.
            public var assignee: String?
            public var status: ApprovalStage.Status?
            public var role: Role?
            public var applicationID: UUID?
            public var overdue: Bool?

            public init(
                page: PageRequest, assignee: String?, status: ApprovalStage.Status?, role: Role?, applicationID: UUID?, overdue: Bool?
            ) {
                self.page = page
                self.assignee = assignee
                self.status = status
                self.role = role
                self.applicationID = applicationID
                self.overdue = overdue
            }
        }

        public typealias Response = Page<ApprovalStage>
        public static let service = ServiceName.approvals
        public static let name = "approvals.tasks.list.v1"
    }

    public enum Reassign: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var stageID: UUID
            public var assigneeID: UUID

            public init(stageID: UUID, assigneeID: UUID) {
                self.stageID = stageID
                self.assigneeID = assigneeID
            }
        }

        public typealias Response = ApprovalStage
        public static let service = ServiceName.approvals
        public static let name = "approvals.tasks.reassign.v1"
    }

    public enum GetPolicy: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = ApprovalPolicy
        public static let service = ServiceName.approvals
        public static let name = "approvals.policy.get.v1"
    }

    public enum PutPolicy: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var policy: ApprovalPolicy
            public var expectedVersion: Int?

            public init(policy: ApprovalPolicy, expectedVersion: Int?) {
                self.policy = policy
                self.expectedVersion = expectedVersion
            }
        }

        public typealias Response = ApprovalPolicy
        public static let service = ServiceName.approvals
        public static let name = "approvals.policy.put.v1"
    }
}
