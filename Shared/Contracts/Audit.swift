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
