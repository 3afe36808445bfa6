import Contracts
import Foundation
import Persistence

/// Answers a service's part of `GET /sync/changes` from its change log: who sees which entries,
/// and each entity as it now is.
public struct ChangeFeed: Sendable {
    /// Whose entries a caller sees: one owner's (a client's own), or everyone's of some entities.
    public struct Scope: Sendable {
        public let owner: UUID?
        public let entities: Set<SyncChange.Entity>?

        public init(owner: UUID?, entities: Set<SyncChange.Entity>? = nil) {
            self.owner = owner
            self.entities = entities
        }
    }

    /// Reads an entity as its `GET` shows it: its JSON and its `version` (see ``current(_:)``),
    /// or nil when it is gone.
    public typealias Loader = @Sendable (SyncChange.Entity, UUID) async throws -> (data: JSONValue, version: Int)?

    public static let largestPage = 500

    let log: ChangeLog
    let scope: @Sendable (Principal) -> Scope?
    let load: Loader

    /// `scope` says what a caller sees (nil: nothing); `load` reads an entity as its `GET` shows it
    /// (nil: it is gone).
    public init(log: ChangeLog, scope: @escaping @Sendable (Principal) -> Scope?, load: @escaping Loader) {
        self.log = log
        self.scope = scope
        self.load = load
    }

    /// Answers `operation` (`SyncRPC.LoansChanges`, …) in `handlers` with pages of this feed, for
    /// signed-in callers only.
    public func register<Operation: SyncRPC.ChangeFeed>(_ operation: Operation.Type, on handlers: inout RPCHandlers) {
        handlers.on(operation) { request, context in .ok(try await page(request, for: try context.requirePrincipal())) }
    }

    func page(_ request: SyncRPC.FeedRequest, for caller: Principal) async throws -> SyncRPC.FeedPage {
        guard (1...Self.largestPage).contains(request.limit) else {
            throw Problem.validation(field: "limit", "must be between 1 and \(Self.largestPage)")
        }
        guard let scope = scope(caller) else { return .init(changes: [], readTo: request.after ?? 0, hasMore: false) }
        let read: (entries: [ChangeLog.Entry], readTo: Int64, hasMore: Bool)
        do {
            read = try await log.read(
                after: request.after, owner: scope.owner, entities: scope.entities.map { Set($0.map(\.rawValue)) }, limit: request.limit)
        } catch ChangeLog.Refusal.tooOld {
            throw Problem.cursorTooOld
        }
        var changes: [SyncRPC.PositionedChange] = []
        for entry in read.entries {
            guard let entity = SyncChange.Entity(rawValue: entry.entity) else { continue }
            let current = entry.deleted ? nil : try await load(entity, entry.id)
            let change = SyncChange(
                entity: entity, id: entry.id, version: current?.version ?? 0, op: current == nil ? .delete : .upsert,
                data: current?.data ?? .null, changedAt: entry.changedAt)
            changes.append(.init(seq: entry.seq, change: change))
        }
        return .init(changes: changes, readTo: read.readTo, hasMore: read.hasMore)
    }

    /// An entity's JSON and its `version` (1 for those that have none: they never change).
    ///
    /// - Parameter value: the entity as its `GET` answers it, or nil when it is gone.
    /// - Returns: what a ``Loader`` returns: nil for nil.
    public static func current(_ value: (some Encodable)?) throws -> (data: JSONValue, version: Int)? {
        guard let value else { return nil }
        let data = try JSONValue(encoding: value)
        guard case .integer(let version)? = data["version"] else { return (data, 1) }
        return (data, version)
    }
}

extension ServiceHost {
    /// Serves the service's change feed as `operation` and compacts its log hourly, keeping
    /// deletions for `SYNC_RETENTION_DAYS` (30 by default): a client away longer starts over.
    ///
    /// - Parameters:
    ///   - operation: the service's feed operation, e.g. `SyncRPC.LoansChanges`.
    ///   - database: the service's database, whose schema has the change log.
    ///   - scope: what a caller may see; nil for nothing.
    ///   - load: reads an entity of the feed as it now is.
    public func serveChanges<Operation: SyncRPC.ChangeFeed>(
        _ operation: Operation.Type, from database: Database, scope: @escaping @Sendable (Principal) -> ChangeFeed.Scope?,
        load: @escaping ChangeFeed.Loader
    ) {
        let log = ChangeLog(database: database)
        ChangeFeed(log: log, scope: scope, load: load).register(operation, on: &rpc)
        let retention = Duration.seconds(configuration.reader.int(forKey: "sync.retention.days", default: 30) * 86_400)
        addWork(
            PeriodicTask("change log compaction", every: .seconds(3600), logger: logger) {
                try await log.compact(olderThan: retention)
            })
    }
}
