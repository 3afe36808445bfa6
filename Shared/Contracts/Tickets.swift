import Foundation

/// Support tickets: a client asks, an administrator answers. Answered by `approvals`.
public struct Ticket: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case open
        case inProgress = "in_progress"
        case resolved
    }

    public enum Priority: String, Codable, Sendable, CaseIterable {
        case low, medium, high
    }

    public struct Assignee: Codable, Sendable, Equatable {
        public var id: UUID
        public var fullName: String?

        public init(id: UUID, fullName: String?) {
            self.id = id
            self.fullName = fullName
        }
    }

    public struct Comment: Codable, Sendable, Equatable {
        public var id: UUID
        public var authorID: UUID
        public var authorRole: Role
        public var body: String
        public var createdAt: Date

        public init(id: UUID, authorID: UUID, authorRole: Role, body: String, createdAt: Date) {
            self.id = id
            self.authorID = authorID
            self.authorRole = authorRole
            self.body = body
            self.createdAt = createdAt
        }
    }

    public var id: UUID
    public var customerID: UUID
    public var subject: String
    public var description: String
    public var priority: Priority
    public var status: Status
    public var applicationID: UUID?
    /// Nil while no administrator is active; the SLA sweep assigns it when one is.
    public var assignee: Assignee?
    public var dueAt: Date
    /// Past its SLA at some point and reported.
    public var escalated: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var resolvedAt: Date?
    /// Only on a single ticket, not in lists.
    public var comments: [Comment]?

    public init(
        id: UUID, customerID: UUID, subject: String, description: String, priority: Priority, status: Status, applicationID: UUID?,
        assignee: Assignee?, dueAt: Date, escalated: Bool, version: Int, createdAt: Date, updatedAt: Date, resolvedAt: Date?,
        comments: [Comment]?
    ) {
        self.id = id
        self.customerID = customerID
        self.subject = subject
        self.description = description
        self.priority = priority
        self.status = status
        self.applicationID = applicationID
        self.assignee = assignee
        self.dueAt = dueAt
        self.escalated = escalated
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
        self.comments = comments
    }
}

public enum TicketsRPC {
    public enum Create: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var subject: String
            public var description: String
            public var priority: Ticket.Priority
            public var applicationID: UUID?

            public init(subject: String, description: String, priority: Ticket.Priority, applicationID: UUID?) {
                self.subject = subject
                self.description = description
                self.priority = priority
                self.applicationID = applicationID
            }
        }

        public typealias Response = Ticket
        public static let service = ServiceName.approvals
        public static let name = "tickets.create.v1"
    }

    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var page: PageRequest
            public var status: Ticket.Status?
            public var priority: Ticket.Priority?
            public var assignee: UUID?

            public init(page: PageRequest, status: Ticket.Status?, priority: Ticket.Priority?, assignee: UUID?) {
                self.page = page
                self.status = status
                self.priority = priority
                self.assignee = assignee
            }
        }

        public typealias Response = Page<Ticket>
        public static let service = ServiceName.approvals
        public static let name = "tickets.list.v1"
    }

    public enum Get: ServiceOperation {
        public typealias Request = ApplicationsRPC.ByID
        public typealias Response = Ticket
        public static let service = ServiceName.approvals
        public static let name = "tickets.get.v1"
    }

    public enum Update: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var status: Ticket.Status?
            public var priority: Ticket.Priority?
            public var expectedVersion: Int?

            public init(id: UUID, status: Ticket.Status?, priority: Ticket.Priority?, expectedVersion: Int?) {
                self.id = id
                self.status = status
                self.priority = priority
                self.expectedVersion = expectedVersion
            }
        }

        public typealias Response = Ticket
        public static let service = ServiceName.approvals
        public static let name = "tickets.update.v1"
    }

    public enum Comment: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var ticketID: UUID
            public var body: String

            public init(ticketID: UUID, body: String) {
                self.ticketID = ticketID
                self.body = body
            }
        }

        public typealias Response = Ticket.Comment
        public static let service = ServiceName.approvals
        public static let name = "tickets.comment.v1"
    }
}

/// What happens to tickets, for notifications (the client hears of every change) and analytics.
public enum TicketEvents {
    public enum Change: String, Codable, Sendable {
        case created, statusChanged = "status_changed", priorityChanged = "priority_changed", commented, assigned
    }

    public struct Updated: DomainEvent, Equatable {
        public static let type = "approvals.ticket.updated.v1"
        public var ticketID: UUID
        public var customerID: UUID
        public var change: Change
        public var status: Ticket.Status
        public var priority: Ticket.Priority
        public var assigneeID: UUID?
        public var actorID: UUID?
        public var occurredAt: Date

        public init(
            ticketID: UUID, customerID: UUID, change: Change, status: Ticket.Status, priority: Ticket.Priority, assigneeID: UUID?,
            actorID: UUID?, occurredAt: Date
        ) {
            self.ticketID = ticketID
            self.customerID = customerID
            self.change = change
            self.status = status
            self.priority = priority
            self.assigneeID = assigneeID
            self.actorID = actorID
            self.occurredAt = occurredAt
        }
    }

    public struct SLABreached: DomainEvent, Equatable {
        public static let type = "approvals.ticket.sla_breached.v1"
        public var ticketID: UUID
        public var priority: Ticket.Priority
        public var assigneeID: UUID?
        public var dueAt: Date
        /// Who is told: the super administrators.
        public var escalatedTo: Role
        public var occurredAt: Date

        public init(ticketID: UUID, priority: Ticket.Priority, assigneeID: UUID?, dueAt: Date, escalatedTo: Role, occurredAt: Date) {
            self.ticketID = ticketID
            self.priority = priority
            self.assigneeID = assigneeID
            self.dueAt = dueAt
            self.escalatedTo = escalatedTo
            self.occurredAt = occurredAt
        }
    }
}
