import Foundation

public enum ApplicationStatus: String, Codable, Sendable, CaseIterable {
    case submitted
    case underAnalysis = "under_analysis"
    case pendingApproval = "pending_approval"
    case documentsRequested = "documents_requested"
    case approved, rejected, withdrawn, disbursed, closed
}

/// What the applicant declared, frozen when they applied: the credit decision is made on this,
/// not on whatever they edit later.
public struct ApplicantSnapshot: Codable, Sendable, Equatable {
    public struct RepaymentHistory: Codable, Sendable, Equatable {
        /// Earlier loans here that were disbursed (and possibly closed since).
        public var previousLoans: Int
        public var closedLoans: Int
        /// Instalments of loans here that are past due and unpaid now (absent in older snapshots).
        public var overdueInstalments: Int?

        public init(previousLoans: Int, closedLoans: Int, overdueInstalments: Int? = nil) {
            self.previousLoans = previousLoans
            self.closedLoans = closedLoans
            self.overdueInstalments = overdueInstalments
        }
    }

    public var dateOfBirth: CalendarDate
    public var financial: FinancialDetails
    public var employment: EmploymentDetails?
    public var repaymentHistory: RepaymentHistory

    public init(dateOfBirth: CalendarDate, financial: FinancialDetails, employment: EmploymentDetails?, repaymentHistory: RepaymentHistory)
    {
        self.dateOfBirth = dateOfBirth
        self.financial = financial
        self.employment = employment
        self.repaymentHistory = repaymentHistory
    }
}

public struct Application: Codable, Sendable {
    public struct TimelineEntry: Codable, Sendable, Equatable {
        public var at: Date
        public var status: ApplicationStatus
        public var actorID: UUID?

        public init(at: Date, status: ApplicationStatus, actorID: UUID?) {
            self.at = at
            self.status = status
            self.actorID = actorID
        }
    }

    public var id: UUID
    public var customerID: UUID
    public var productID: UUID
    public var amount: Money
    public var termMonths: Int
    public var purpose: String
    public var status: ApplicationStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// Filled in from `approvals` (the gateway joins them): null until the analysis completes.
    @ExplicitNull public var analysis: ApplicationAnalysis?
    public var stages: [ApprovalStage]
    public var documents: [Document]
    public var requestedDocuments: [DocumentType]
    /// Required documents neither uploaded nor waived: they block the final approval.
    public var missingDocuments: [DocumentType]
    public var waivers: [DocumentWaiver]
    public var timeline: [TimelineEntry]

    public init(
        id: UUID, customerID: UUID, productID: UUID, amount: Money, termMonths: Int, purpose: String, status: ApplicationStatus,
        version: Int, createdAt: Date, updatedAt: Date, requestedDocuments: [DocumentType], missingDocuments: [DocumentType],
        documents: [Document], timeline: [TimelineEntry]
    ) {
        self.id = id
        self.customerID = customerID
        self.productID = productID
        self.amount = amount
        self.termMonths = termMonths
        self.purpose = purpose
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.analysis = nil
        self.stages = []
        self.documents = documents
        self.requestedDocuments = requestedDocuments
        self.missingDocuments = missingDocuments
        self.waivers = []
        self.timeline = timeline
    }
}

/// Credit requests, answered by `loans`.
public enum ApplicationsRPC {
    public enum Submit: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var productID: UUID
            public var amount: Money
            public var termMonths: Int
            public var purpose: String

            public init(productID: UUID, amount: Money, termMonths: Int, purpose: String) {
                self.productID = productID
                self.amount = amount
                self.termMonths = termMonths
                self.purpose = purpose
            }
        }
        public typealias Response = Application
        public static let service = ServiceName.loans
        public static let name = "applications.submit.v1"
    }

    public enum Sort: String, Codable, Sendable {
        case createdAt = "created_at"
        case newestFirst = "-created_at"
        case amount
        case largestFirst = "-amount"
    }

    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var status: ApplicationStatus?
            public var minAmount: Money?
            public var maxAmount: Money?
            /// Created on or after this day (UTC).
            public var from: CalendarDate?
            /// Created on or before this day (UTC).
            public var to: CalendarDate?
            public var customerID: UUID?
            public var productID: UUID?
            public var sort: Sort?
            public var page: PageRequest

            public init(
                status: ApplicationStatus? = nil, minAmount: Money? = nil, maxAmount: Money? = nil, from: CalendarDate? = nil,
                to: CalendarDate? = nil, customerID: UUID? = nil, productID: UUID? = nil, sort: Sort? = nil,
                page: PageRequest = PageRequest()
            ) {
                self.status = status
                self.minAmount = minAmount
                self.maxAmount = maxAmount
                self.from = from
                self.to = to
                self.customerID = customerID
                self.productID = productID
                self.sort = sort
                self.page = page
            }
        }
        public typealias Response = Page<Application>
        public static let service = ServiceName.loans
        public static let name = "applications.list.v1"
    }

    public struct ByID: Codable, Sendable {
        public var id: UUID

        public init(id: UUID) {
            self.id = id
        }
    }

    public enum Get: ServiceOperation {
        public typealias Request = ByID
        public typealias Response = Application
        public static let service = ServiceName.loans
        public static let name = "applications.get.v1"
    }

    public enum Withdraw: ServiceOperation {
        public typealias Request = ByID
        public typealias Response = Application
        public static let service = ServiceName.loans
        public static let name = "applications.withdraw.v1"
    }

    /// What a staff list shows of an application it names (the task list): its amount, its
    /// product's name and the applicant's name, for a page of them at once.
    public struct Summary: Codable, Sendable, Equatable {
        public var id: UUID
        public var amount: Money
        public var productName: String
        /// Nil while the client has not filled in their profile.
        @ExplicitNull public var applicantName: String?

        public init(id: UUID, amount: Money, productName: String, applicantName: String?) {
            self.id = id
            self.amount = amount
            self.productName = productName
            self.applicantName = applicantName
        }
    }

    /// Staff only.
    public enum Summaries: ServiceOperation {
        public typealias Request = IDBatch
        public typealias Response = BatchAnswer<Summary>
        public static let service = ServiceName.loans
        public static let name = "applications.summaries.v1"
    }

    /// Asked by `approvals` right after an approver decided, so the decision's answer already shows
    /// the application moved. It applies exactly what the decision's event will, under the event's
    /// message id, so whichever of the two arrives second changes nothing.
    public enum RecordDecision: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var messageID: String
            public var applicationID: UUID
            public var status: ApplicationStatus
            public var actorID: UUID
            public var requestedDocuments: [DocumentType]
            /// The event's `sequence` (see `ApplicationMoveEvent`).
            public var sequence: Int?

            public init(
                messageID: String, applicationID: UUID, status: ApplicationStatus, actorID: UUID, requestedDocuments: [DocumentType],
                sequence: Int?
            ) {
                self.messageID = messageID
                self.applicationID = applicationID
                self.status = status
                self.actorID = actorID
                self.requestedDocuments = requestedDocuments
                self.sequence = sequence
            }
        }

        public typealias Response = Empty
        public static let service = ServiceName.loans
        public static let name = "applications.record-decision.v1"
    }
}

public enum LoansEvents {
    /// A client applied; `approvals` opens a workflow from it.
    public struct ApplicationSubmitted: DomainEvent, Equatable {
        public static let type = "loans.application.submitted.v1"
        public var applicationID: UUID
        public var customerID: UUID
        public var productID: UUID
        public var amount: Money
        public var termMonths: Int
        public var annualRate: Percent
        /// The monthly instalment (EMI) the loan would have.
        public var instalment: Money
        public var purpose: String
        public var snapshot: ApplicantSnapshot
        public var occurredAt: Date

        public init(
            applicationID: UUID, customerID: UUID, productID: UUID, amount: Money, termMonths: Int, annualRate: Percent,
            instalment: Money, purpose: String, snapshot: ApplicantSnapshot, occurredAt: Date
        ) {
            self.applicationID = applicationID
            self.customerID = customerID
            self.productID = productID
            self.amount = amount
            self.termMonths = termMonths
            self.annualRate = annualRate
            self.instalment = instalment
            self.purpose = purpose
            self.snapshot = snapshot
            self.occurredAt = occurredAt
        }
    }

    /// The applicant uploaded a document; `approvals` reopens a stage that waited for documents.
    public struct DocumentUploaded: DomainEvent, Equatable {
        public static let type = "loans.application.document_uploaded.v1"
        public var applicationID: UUID
        public var documentID: UUID
        public var documentType: DocumentType
        public var occurredAt: Date

        public init(applicationID: UUID, documentID: UUID, documentType: DocumentType, occurredAt: Date) {
            self.applicationID = applicationID
            self.documentID = documentID
            self.documentType = documentType
            self.occurredAt = occurredAt
        }
    }

    /// Every move of an application, for notifications, analytics and the audit log.
    public struct ApplicationStatusChanged: DomainEvent, Equatable {
        public static let type = "loans.application.status_changed.v1"
        public var applicationID: UUID
        public var customerID: UUID
        public var from: ApplicationStatus?
        public var to: ApplicationStatus
        public var actorID: UUID?
        public var occurredAt: Date

        public init(
            applicationID: UUID, customerID: UUID, from: ApplicationStatus?, to: ApplicationStatus, actorID: UUID?, occurredAt: Date
        ) {
            self.applicationID = applicationID
            self.customerID = customerID
            self.from = from
            self.to = to
            self.actorID = actorID
            self.occurredAt = occurredAt
        }
    }
}
