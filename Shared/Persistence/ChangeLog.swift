import Foundation
import PostgresNIO

/// What changed in a service's schema, in the order it became visible, for clients that sync:
/// `GET /sync/changes` reads it after a cursor. Rows are written by triggers on the tables a
/// client syncs, in the transaction of the change itself, so no write path can forget one.
///
/// A row gets its position in the feed (`seq`) when a reader sequences it, not when it is
/// written: a transaction that commits late would otherwise show up behind positions a client
/// has already read past. The sequencer runs under an advisory lock, so positions are handed out
/// in batches, each batch committed before the next begins, and only to committed rows: what a
/// reader sees is always a prefix of the feed. (docs/SYNC.md)
public struct ChangeLog: Sendable {
    /// A table whose rows clients sync: the entity name its rows have in the feed, the column that
    /// identifies a row, and the SQL (over `NEW`/`OLD` as `row`) naming the user it belongs to.
    public struct Source: Sendable {
        public let table: String
        public let entity: String
        public let idColumn: String
        /// An expression over the trigger's row `r`, e.g. `r.customer_id`, or a sub-select.
        public let owner: String
        /// The entity id when the row is part of another entity (a document of an application).
        public let entityIDExpression: String?

        /// - Parameters:
        ///   - table: the synced table, unqualified (it is in the service's schema).
        ///   - entity: the name its rows have in the feed (a `SyncChange.Entity` raw value).
        ///   - idColumn: the column identifying a row, when the row is the entity itself.
        ///   - owner: SQL over the trigger's row `r` giving the owning user's id (see ``owner``).
        ///   - entityID: SQL over `r` giving the id of the entity the row belongs to, for a row that
        ///     is part of another entity; its deletion then logs a change of that entity, not a
        ///     deletion.
        public init(table: String, entity: String, idColumn: String = "id", owner: String, entityID: String? = nil) {
            self.table = table
            self.entity = entity
            self.idColumn = idColumn
            self.owner = owner
            self.entityIDExpression = entityID
        }
    }

    /// One entry: the latest change of an entity within a page.
    public struct Entry: Sendable {
        public let seq: Int64
        public let entity: String
        public let id: UUID
        public let owner: UUID?
        public let deleted: Bool
        public let changedAt: Date
    }

    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The migration creating the log and a trigger per source.
    ///
    /// - Parameters:
    ///   - id: the migration's id in the service's history (see ``Migration/id``).
    ///   - sources: the tables synced from the start; a table synced later gets its trigger in a
    ///     later migration, from ``triggers(sources:)``.
    public static func migration(id: String, sources: [Source]) -> Migration {
        let statements = [
            """
            CREATE TABLE changes (
                position bigserial PRIMARY KEY,
                seq bigint UNIQUE,
                entity text NOT NULL,
                entity_id uuid NOT NULL,
                owner uuid,
                deleted boolean NOT NULL DEFAULT false,
                changed_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
            "CREATE SEQUENCE change_seq",
            "CREATE INDEX changes_unsequenced ON changes (position) WHERE seq IS NULL",
            "CREATE INDEX changes_by_owner ON changes (owner, seq)",
            "CREATE INDEX changes_by_entity ON changes (entity_id, seq)",
            // Positions below this were compacted away with deletions in them: a cursor there is too old.
            "CREATE TABLE change_horizon (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), seq bigint NOT NULL)",
            "INSERT INTO change_horizon (seq) VALUES (0)",
        ]
        return Migration(id: id, statements: statements + triggers(sources: sources))
    }

    /// The trigger that logs the changes of each source (in a later migration than the log's),
    /// and an entry for every row already there, so that a first sync sees what came before.
    /// The functions keep the schema's search path, so a write from a session with another one
    /// (an operator's `psql`) is logged too.
    ///
    /// - Returns: the SQL statements of a ``Migration``, in the order they must run.
    public static func triggers(sources: [Source]) -> [String] {
        sources.flatMap { source in
            let function = "log_\(source.table)_change"
            let entityID = source.entityIDExpression ?? "r.\(source.idColumn)"
            return [
                "INSERT INTO changes (entity, entity_id, owner) SELECT DISTINCT '\(source.entity)', \(entityID), \(source.owner) FROM \(source.table) r",
                """
                CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
                DECLARE r record;
                BEGIN
                    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
                    INSERT INTO changes (entity, entity_id, owner, deleted)
                    VALUES ('\(source.entity)', \(entityID), \(source.owner), TG_OP = 'DELETE' AND \(source.entityIDExpression == nil));
                    RETURN NULL;
                END $$
                """,
                "CREATE TRIGGER \(source.table)_sync AFTER INSERT OR UPDATE OR DELETE ON \(source.table) FOR EACH ROW EXECUTE FUNCTION \(function)()",
            ]
        }
    }

    /// Why a cursor cannot be served.
    public enum Refusal: Error, Sendable {
        /// Deletions before it were compacted away, or it is not a position of this log.
        case tooOld
    }

    /// Up to `limit` entries after `cursor`, each entity once (its latest change), in feed order.
    /// Sequences what committed since the last read first, so the page is a prefix of the feed.
    ///
    /// - Parameters:
    ///   - cursor: the position a client has read up to (a previous `readTo`); nil reads from the
    ///     start, which still has every entity's latest change.
    ///   - owner: one user's entries only; nil for everyone's.
    ///   - entities: the entity names to read; nil for all of them.
    ///   - limit: the most rows to read. Entries can be fewer: an entity changed twice in the page
    ///     is one entry.
    /// - Returns: the entries; `readTo`, the position to pass as the next `cursor` (the last row of
    ///   the page; when nothing is new, `cursor`, or the horizon without one); and whether more rows
    ///   follow.
    /// - Throws: ``Refusal/tooOld`` for a cursor behind the horizon or ahead of the head.
    public func read(
        after cursor: Int64?, owner: UUID?, entities: Set<String>?, limit: Int
    ) async throws
        -> (entries: [Entry], readTo: Int64, hasMore: Bool)
    {
        let (horizon, head) = try await sequence()
        // Without a cursor, everything: the log keeps every entity's latest change.
        let seq = cursor ?? horizon
        guard seq >= horizon, seq <= head else { throw Refusal.tooOld }
        let names = entities.map { Array($0).sorted() }
        let rows = try await database.client.query(
            """
            SELECT seq, entity, entity_id, owner, deleted, changed_at FROM changes
            WHERE seq > \(seq) AND (\(owner)::uuid IS NULL OR owner = \(owner))
              AND (\(names)::text[] IS NULL OR entity = ANY(\(names)))
            ORDER BY seq LIMIT \(limit + 1)
            """, logger: database.logger)
        var read: [Entry] = []
        for try await (seq, entity, id, owner, deleted, changedAt) in rows.decode((Int64, String, UUID, UUID?, Bool, Date).self) {
            read.append(Entry(seq: seq, entity: entity, id: id, owner: owner, deleted: deleted, changedAt: changedAt))
        }
        let hasMore = read.count > limit
        let page = read.prefix(limit)
        // Each entity once: its last change in the page stands for the earlier ones.
        var last: [String: Int64] = [:]
        for entry in page { last["\(entry.entity)/\(entry.id)"] = entry.seq }
        let entries = page.filter { last["\($0.entity)/\($0.id)"] == $0.seq }
        return (entries, page.last?.seq ?? max(seq, 0), hasMore)
    }

    /// Gives committed, unsequenced rows their positions; returns the horizon and the head.
    private func sequence() async throws -> (horizon: Int64, head: Int64) {
        try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(sequencerLock)))", logger: database.logger)
            try await connection.query(
                """
                UPDATE changes SET seq = nextval('change_seq')
                WHERE position IN (SELECT position FROM changes WHERE seq IS NULL ORDER BY position)
                """, logger: database.logger)
            let rows = try await connection.query(
                "SELECT h.seq, coalesce((SELECT max(seq) FROM changes), h.seq) FROM change_horizon h", logger: database.logger)
            for try await (horizon, head) in rows.decode((Int64, Int64).self) { return (horizon, head) }
            return (0, 0)
        }
    }

    /// Drops what no cursor needs: a change followed by a later one of the same entity, and, once
    /// older than `retention`, deletions (moving the horizon past them). Only changes older than
    /// `retention` go, so a client that syncs within it keeps its cursor.
    ///
    /// - Returns: the rows dropped; 0 when another replica is compacting at the same time (it
    ///   holds the lock, and this round is skipped).
    @discardableResult
    public func compact(olderThan retention: Duration) async throws -> Int {
        let cutoff = Date().addingTimeInterval(-Double(retention.components.seconds))
        return try await database.transactionAlone(lock: "\(database.schema).changes compaction") { connection -> Int in
            var dropped = 0
            for try await count in try await connection.query(
                """
                WITH superseded AS (
                    DELETE FROM changes c WHERE c.seq IS NOT NULL AND c.changed_at < \(cutoff)
                      AND EXISTS (SELECT 1 FROM changes d WHERE d.entity_id = c.entity_id AND d.entity = c.entity AND d.seq > c.seq)
                    RETURNING 1)
                SELECT count(*)::int FROM superseded
                """, logger: database.logger
            ).decode(Int.self) { dropped += count }
            var horizon: Int64?
            for try await (count, last) in try await connection.query(
                """
                WITH gone AS (DELETE FROM changes WHERE deleted AND seq IS NOT NULL AND changed_at < \(cutoff) RETURNING seq)
                SELECT count(*)::int, max(seq) FROM gone
                """, logger: database.logger
            ).decode((Int, Int64?).self) {
                dropped += count
                horizon = last
            }
            if let horizon {
                try await connection.query("UPDATE change_horizon SET seq = greatest(seq, \(horizon))", logger: database.logger)
            }
            return dropped
        } ?? 0
    }

    /// The same lock name as before the schema became configuration, so that replicas of two
    /// versions never sequence at once during an upgrade.
    private var sequencerLock: String { "\(database.schema).changes" }
}
