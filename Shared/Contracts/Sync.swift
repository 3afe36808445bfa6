import Foundation

/// One entity a syncing client may see, as it now is (or that it is gone).
public struct SyncChange: Codable, Sendable, Equatable {
    public enum Entity: String, Codable, Sendable, CaseIterable {
        case application, loan, payment, ticket, notification, profile, document
    }

    public enum Operation: String, Codable, Sendable {
        case upsert, delete
    }

    public var entity: Entity
    public var id: UUID
    public var version: Int
    public var op: Operation
    /// The entity as its own `GET` shows it; null for a deletion.
    public var data: JSONValue
    public var changedAt: Date

    public init(entity: Entity, id: UUID, version: Int, op: Operation, data: JSONValue, changedAt: Date) {
        self.entity = entity
        self.id = id
        self.version = version
        self.op = op
        self.data = data
        self.changedAt = changedAt
    }
}

/// `GET /sync/changes`: a page of the feed and the cursor after it.
public struct SyncChangesPage: Codable, Sendable {
    public var changes: [SyncChange]
    public var cursor: String
    public var hasMore: Bool

    public init(changes: [SyncChange], cursor: String, hasMore: Bool) {
        self.changes = changes
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

/// The change feeds of the services that own synced entities. The gateway reads all three and
/// merges them; its cursor holds a position in each.
public enum SyncRPC {
    public struct FeedRequest: Codable, Sendable {
        /// The position read up to; nil reads from the start.
        public var after: Int64?
        public var limit: Int

        public init(after: Int64?, limit: Int) {
            self.after = after
            self.limit = limit
        }
    }

    public struct PositionedChange: Codable, Sendable {
        public var seq: Int64
        public var change: SyncChange

        public init(seq: Int64, change: SyncChange) {
            self.seq = seq
            self.change = change
        }
    }

    public struct FeedPage: Codable, Sendable {
        public var changes: [PositionedChange]
        /// Where the next read starts when every change of this page is taken.
        public var readTo: Int64
        public var hasMore: Bool

        public init(changes: [PositionedChange], readTo: Int64, hasMore: Bool) {
            self.changes = changes
            self.readTo = readTo
            self.hasMore = hasMore
        }
    }

    public protocol ChangeFeed: ServiceOperation where Request == FeedRequest, Response == FeedPage {}

    public enum LoansChanges: ChangeFeed {
        public static let service = ServiceName.loans
        public static let name = "loans.sync-changes.v1"
    }

    public enum ApprovalsChanges: ChangeFeed {
        public static let service = ServiceName.approvals
        public static let name = "approvals.sync-changes.v1"
    }

    public enum NotificationsChanges: ChangeFeed {
        public static let service = ServiceName.notifications
        public static let name = "notifications.sync-changes.v1"
    }
}

extension Problem {
    /// A sync cursor the feed can no longer serve: start again without one.
    public static let cursorTooOld = Problem(
        status: 410, slug: "cursor-too-old", title: "Gone",
        detail: "This cursor is too old to serve (or not one of ours). Sync again from the start, without since.")
}
