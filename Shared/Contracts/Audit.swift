import Foundation

/// One entry of the audit log: a staff action or a security event, chained to the one before it
/// by `prev_hash`, so an entry changed or removed afterwards breaks the chain.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var seq: Int
    public var at: Date
    public var actorID: UUID?
    public var actorRole: String?
    public var action: String
    public var entity: String
    public var entityID: String?
    public var details: [String: String]
    public var prevHash: String
    public var hash: String

    public init(
        seq: Int, at: Date, actorID: UUID?, actorRole: String?, action: String, entity: String, entityID: String?,
        details: [String: String], prevHash: String, hash: String
    ) {
        self.seq = seq
        self.at = at
        self.actorID = actorID
        self.actorRole = actorRole
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// The audit log, answered by `analytics` (super admins only).
public enum AuditRPC {
    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var page: PageRequest
            public var actorID: UUID?
            public var action: String?
            public var entity: String?
            public var from: CalendarDate?
            public var to: CalendarDate?

            public init(page: PageRequest, actorID: UUID?, action: String?, entity: String?, from: CalendarDate?, to: CalendarDate?) {
                self.page = page
                self.actorID = actorID
                self.action = action
                self.entity = entity
                self.from = from
                self.to = to
            }
        }

        public typealias Response = Page<AuditEntry>
        public static let service = ServiceName.analytics
        public static let name = "audit.list.v1"
    }

    public enum Verify: ServiceOperation {
        public struct Response: Codable, Sendable, Equatable {
            public var valid: Bool
            /// Entries checked.
            public var entries: Int
            /// The first entry whose hash or link does not hold, when the chain is broken.
            public var brokenAt: Int?

            public init(valid: Bool, entries: Int, brokenAt: Int?) {
                self.valid = valid
                self.entries = entries
                self.brokenAt = brokenAt
            }
        }

        public typealias Request = Empty
        public static let service = ServiceName.analytics
        public static let name = "audit.verify.v1"
    }
}

/// Reports, answered by `analytics` from the event store.
public enum AnalyticsRPC {
    /// The period a report covers (inclusive dates) and the optional narrowing filters.
    public struct Window: Codable, Sendable {
        public var from: CalendarDate?
        public var to: CalendarDate?
        /// Portfolio and approvals: one product's applications only.
        public var productID: UUID?
        /// Tickets: one client's only.
        public var customerID: UUID?
        /// Traffic: one route template's figures in `top_paths` (`/api/v1/applications/{id}`).
        public var path: String?

        public init(from: CalendarDate?, to: CalendarDate?, productID: UUID? = nil, customerID: UUID? = nil, path: String? = nil) {
            self.from = from
            self.to = to
            self.productID = productID
            self.customerID = customerID
            self.path = path
        }
    }

    public enum Traffic: ServiceOperation {
        public struct Path: Codable, Sendable, Equatable {
            public var method: String
            public var path: String
            public var count: Int
            public var p50Ms: Double
            public var p95Ms: Double

            public init(method: String, path: String, count: Int, p50Ms: Double, p95Ms: Double) {
                self.method = method
                self.path = path
                self.count = count
                self.p50Ms = p50Ms
                self.p95Ms = p95Ms
            }
        }

        public struct Response: Codable, Sendable, Equatable {
            public var totalRequests: Int
            /// The share of answers that were server errors (5xx).
            public var errorRate: Double
            public var byRole: [String: Int]
            public var byStatusClass: [String: Int]
            public var topPaths: [Path]
            /// Requests that matched no route: probes and typos, not a path of the API.
            public var unmatchedRequests: Int

            public init(
                totalRequests: Int, errorRate: Double, byRole: [String: Int], byStatusClass: [String: Int], topPaths: [Path],
                unmatchedRequests: Int
            ) {
                self.totalRequests = totalRequests
                self.errorRate = errorRate
                self.byRole = byRole
                self.byStatusClass = byStatusClass
                self.topPaths = topPaths
                self.unmatchedRequests = unmatchedRequests
            }
        }

        public typealias Request = Window
        public static let service = ServiceName.analytics
        public static let name = "analytics.traffic.v1"
    }

    public enum Portfolio: ServiceOperation {
        public struct Response: Codable, Sendable, Equatable {
            public var total: Int
            public var byStatus: [String: Int]
            @ExplicitNull public var avgRiskScore: String?
            public var sumAmount: Money
            public var disbursedAmount: Money
            public var outstandingPrincipal: Money

            public init(
                total: Int, byStatus: [String: Int], avgRiskScore: String?, sumAmount: Money, disbursedAmount: Money,
                outstandingPrincipal: Money
            ) {
                self.total = total
                self.byStatus = byStatus
                self.avgRiskScore = avgRiskScore
                self.sumAmount = sumAmount
                self.disbursedAmount = disbursedAmount
                self.outstandingPrincipal = outstandingPrincipal
            }
        }

        public typealias Request = Window
        public static let service = ServiceName.analytics
        public static let name = "analytics.portfolio.v1"
    }

    public enum Approvals: ServiceOperation {
        public struct Stage: Codable, Sendable, Equatable {
            public var role: String
            public var decided: Int
            @ExplicitNull public var avgHours: Double?
            public var slaBreaches: Int

            public init(role: String, decided: Int, avgHours: Double?, slaBreaches: Int) {
                self.role = role
                self.decided = decided
                self.avgHours = avgHours
                self.slaBreaches = slaBreaches
            }
        }

        public struct Response: Codable, Sendable, Equatable {
            public var submitted: Int
            public var autoDeclined: Int
            public var approved: Int
            public var rejected: Int
            public var inProgress: Int
            @ExplicitNull public var avgHoursToDecision: Double?
            public var byStage: [Stage]

            public init(
                submitted: Int, autoDeclined: Int, approved: Int, rejected: Int, inProgress: Int, avgHoursToDecision: Double?,
                byStage: [Stage]
            ) {
                self.submitted = submitted
                self.autoDeclined = autoDeclined
                self.approved = approved
                self.rejected = rejected
                self.inProgress = inProgress
                self.avgHoursToDecision = avgHoursToDecision
                self.byStage = byStage
            }
        }

        public typealias Request = Window
        public static let service = ServiceName.analytics
        public static let name = "analytics.approvals.v1"
    }

    public enum Tickets: ServiceOperation {
        public struct Assignee: Codable, Sendable, Equatable {
            @ExplicitNull public var assigneeID: UUID?
            public var open: Int
            public var inProgress: Int
            public var resolved: Int

            public init(assigneeID: UUID?, open: Int, inProgress: Int, resolved: Int) {
                self.assigneeID = assigneeID
                self.open = open
                self.inProgress = inProgress
                self.resolved = resolved
            }
        }

        public struct Response: Codable, Sendable, Equatable {
            public var open: Int
            public var inProgress: Int
            public var resolved: Int
            public var slaBreached: Int
            public var byPriority: [String: Int]
            public var byAssignee: [Assignee]

            public init(open: Int, inProgress: Int, resolved: Int, slaBreached: Int, byPriority: [String: Int], byAssignee: [Assignee]) {
                self.open = open
                self.inProgress = inProgress
                self.resolved = resolved
                self.slaBreached = slaBreached
                self.byPriority = byPriority
                self.byAssignee = byAssignee
            }
        }

        public typealias Request = Window
        public static let service = ServiceName.analytics
        public static let name = "analytics.tickets.v1"
    }

    public enum PublicStats: ServiceOperation {
        public struct Response: Codable, Sendable, Equatable {
            /// Applications decided (approved or rejected, by people or by policy).
            public var applicationsProcessed: Int
            /// Approved among those decided, 0…1.
            public var approvalRate: Double
            @ExplicitNull public var medianHoursToDecision: Double?

            public init(applicationsProcessed: Int, approvalRate: Double, medianHoursToDecision: Double?) {
                self.applicationsProcessed = applicationsProcessed
                self.approvalRate = approvalRate
                self.medianHoursToDecision = medianHoursToDecision
            }
        }

        public typealias Request = Empty
        public static let service = ServiceName.analytics
        public static let name = "analytics.public-stats.v1"
    }
}

/// What a gateway replica counted since its last report: requests by route template, status class
/// and role, with a latency histogram, so analytics gets one message every few seconds instead of
/// one per request.
public struct TrafficReport: BusMessage, Equatable {
    public static let type = "gateway.traffic.v1"
    /// Upper bounds (milliseconds) of the histogram's buckets; the last bucket is everything above.
    public static let latencyBucketsMs: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
    /// The `path` of requests that matched no route (no route template is empty).
    public static let unmatchedPath = ""

    public struct Row: Codable, Sendable, Equatable, Hashable {
        public var method: String
        public var path: String
        public var statusClass: String
        public var role: String
        public var count: Int
        /// Counts per bucket of `latencyBucketsMs`, plus one for above the last.
        public var latency: [Int]

        public init(method: String, path: String, statusClass: String, role: String, count: Int, latency: [Int]) {
            self.method = method
            self.path = path
            self.statusClass = statusClass
            self.role = role
            self.count = count
            self.latency = latency
        }
    }

    public var instance: String
    public var from: Date
    public var to: Date
    public var rows: [Row]

    public init(instance: String, from: Date, to: Date, rows: [Row]) {
        self.instance = instance
        self.from = from
        self.to = to
        self.rows = rows
    }

    public static let routingKey = "gateway.traffic"
}

/// What the durable queues parked, answered by `analytics` (super admins only).
public enum DeadLettersRPC {
    public struct Sample: Codable, Sendable, Equatable {
        @ExplicitNull public var messageID: String?
        @ExplicitNull public var type: String?
        /// The body as text, cut at 2 KiB.
        public var body: String

        public init(messageID: String?, type: String?, body: String) {
            self.messageID = messageID
            self.type = type
            self.body = body
        }
    }

    public struct QueueReport: Codable, Sendable, Equatable {
        public var queue: String
        public var deadLetterQueue: String
        public var count: Int
        public var samples: [Sample]

        public init(queue: String, deadLetterQueue: String, count: Int, samples: [Sample]) {
            self.queue = queue
            self.deadLetterQueue = deadLetterQueue
            self.count = count
            self.samples = samples
        }
    }

    public enum List: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = Page<QueueReport>
        public static let service = ServiceName.analytics
        public static let name = "dead-letters.list.v1"
    }

    /// Moves everything parked for `queue` back onto it.
    public enum Replay: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var queue: String

            public init(queue: String) {
                self.queue = queue
            }
        }

        public struct Response: Codable, Sendable, Equatable {
            public var queue: String
            public var replayed: Int

            public init(queue: String, replayed: Int) {
                self.queue = queue
                self.replayed = replayed
            }
        }

        public static let service = ServiceName.analytics
        public static let name = "dead-letters.replay.v1"
    }
}
