import Contracts
import Crypto
import Foundation
import Logging
import Persistence
import PostgresNIO
import Redis
import Synchronization

/// How long a session lives: at most `absoluteSeconds` from sign-in however it is used, and
/// `idleSeconds` without a refresh (ASVS 3.3.2).
struct SessionLifetime: Sendable, Equatable {
    let absoluteSeconds: Int
    let idleSeconds: Int

    /// Seconds left to a session used at `now` that ends for good at `end`; 0 once it has ended.
    func secondsLeft(now: Int, end: Int) -> Int {
        max(0, min(idleSeconds, end - now))
    }
}

/// Sessions and their refresh-token families.
///
/// The database holds every session of record: who, the hash of its one live refresh token, when
/// it ends, and whether it was ended. Redis holds a key per live session (``SessionKeys``), which
/// gateways check on every request and which expires with the session. Redis is only a cache: a
/// key it lost is put back when a gateway asks (``check(_:)``), and ``syncCache()`` deletes again
/// the keys of sessions ended lately when Redis may have lost those deletions (a crash, a failover).
///
/// Refreshing swaps the refresh token under the row's lock. Presenting a spent one means it was
/// stolen or replayed, so the whole session ends (RFC 6819 §5.2.2.3 rotation with reuse detection).
final class SessionStore: Sendable {
    enum Rotation: Equatable {
        case rotated(userID: UUID, sessionID: String, refreshToken: String)
        case unknown
        case reused
    }

    let database: Database
    let redis: RedisClient
    let lifetime: SessionLifetime
    /// How long an ended session may still have a live access token: its deletion from Redis
    /// matters that long, and is re-applied over that window after a Redis loss.
    let accessTokenLifetime: Duration
    /// Set when a session ended in the database but its key may not have left Redis (the deletion
    /// failed): the next ``syncCache()`` re-applies every recent end, not only the last seconds'.
    private let endsMayBeMissing = Atomic<Bool>(true)
    private var logger: Logger { database.logger }

    init(database: Database, redis: RedisClient, lifetime: SessionLifetime, accessTokenLifetime: Duration) {
        self.database = database
        self.redis = redis
        self.lifetime = lifetime
        self.accessTokenLifetime = accessTokenLifetime
    }

    func create(userID: UUID) async throws -> (sessionID: String, refreshToken: String) {
        let sessionID = RandomToken.make(bytes: 16)
        let secret = RandomToken.make(bytes: 32)
        try await database.client.query(
            """
            INSERT INTO sessions (id, user_id, refresh_hash, ends_at, idle_until)
            VALUES (\(sessionID), \(userID), \(Self.hash(secret)), now() + make_interval(secs => \(lifetime.absoluteSeconds)),
                    now() + make_interval(secs => \(lifetime.idleSeconds)))
            """, logger: logger)
        // Not cached now is not lost: the gateway asks `check` on its first request.
        await cache(sessionID, secondsLeft: lifetime.secondsLeft(now: 0, end: lifetime.absoluteSeconds))
        return (sessionID, "\(sessionID).\(secret)")
    }

    func rotate(_ refreshToken: String) async throws -> Rotation {
        let parts = refreshToken.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return .unknown }
        let (sessionID, presented) = (parts[0], Self.hash(parts[1]))
        let next = RandomToken.make(bytes: 32)
        let rotation = try await database.transaction { connection -> Rotation in
            let rows = try await connection.query(
                """
                SELECT user_id, refresh_hash,
                       floor(extract(epoch FROM least(ends_at, now() + make_interval(secs => \(lifetime.idleSeconds))) - now()))::int
                FROM sessions
                WHERE id = \(sessionID) AND ended_at IS NULL AND least(ends_at, idle_until) > now()
                FOR UPDATE
                """, logger: logger)
            for try await (userID, current, left) in rows.decode((UUID, String, Int).self) {
                guard current == presented else {
                    try await connection.query("UPDATE sessions SET ended_at = now() WHERE id = \(sessionID)", logger: logger)
                    return .reused
                }
                guard left > 0 else { return .unknown }
                try await connection.query(
                    """
                    UPDATE sessions SET refresh_hash = \(Self.hash(next)),
                        idle_until = now() + make_interval(secs => \(lifetime.idleSeconds))
                    WHERE id = \(sessionID)
                    """, logger: logger)
                // Under the row's lock, so a sign-out waiting on it deletes the key after this.
                await cache(sessionID, secondsLeft: left)
                return .rotated(userID: userID, sessionID: sessionID, refreshToken: "\(sessionID).\(next)")
            }
            return .unknown
        }
        if rotation == .reused { await uncache([sessionID]) }
        return rotation
    }

    /// Whether the session is alive, from the database; a live one's key goes back into Redis.
    /// The row is read under a share lock held while the key is written, so a sign-out racing
    /// with this deletes the key after it, never before.
    func check(_ sessionID: String) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT floor(extract(epoch FROM least(ends_at, idle_until) - now()))::int FROM sessions
                WHERE id = \(sessionID) AND ended_at IS NULL AND least(ends_at, idle_until) > now()
                FOR SHARE
                """, logger: logger)
            for try await left in rows.decode(Int.self) where left > 0 {
                await cache(sessionID, secondsLeft: left)
                return true
            }
            return false
        }
    }

    /// Ends every session of a user except `kept` (the caller's own, after a password change).
    @discardableResult
    func endAll(userID: UUID, keeping kept: String? = nil) async throws -> Int {
        let rows = try await database.client.query(
            """
            UPDATE sessions SET ended_at = now()
            WHERE user_id = \(userID) AND ended_at IS NULL AND least(ends_at, idle_until) > now() AND id <> \(kept ?? "")
            RETURNING id
            """, logger: logger)
        var ended: [String] = []
        for try await id in rows.decode(String.self) { ended.append(id) }
        await uncache(ended)
        return ended.count
    }

    func end(sessionID: String) async throws {
        try await database.client.query(
            "UPDATE sessions SET ended_at = now() WHERE id = \(sessionID) AND ended_at IS NULL", logger: logger)
        // Deleted also when the row was ended before: a retried sign-out finishes the first one.
        await uncache([sessionID])
    }

    /// Has the gateways close every WebSocket the user has open now (`SocketAccessWatch`); ones
    /// opened later are not affected. Kept as long as a session lives, past any token's life.
    /// Only in Redis: losing it leaves open the sockets of the one session a password change
    /// keeps, whose tokens stay valid anyway; the other sessions are ended of record.
    func closeSockets(of userID: UUID) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await redis.set(
            SessionKeys.socketsClosedBefore(userID), String(now), expiresIn: .seconds(lifetime.absoluteSeconds))
    }

    // MARK: Keeping Redis in step

    /// KEYS[1]: the synced marker, then the keys of sessions ended lately. ARGV: "all" or
    /// "recent", then the server's run id. "recent" deletes only on the server the marker names
    /// (else returns 0: this server needs them all); "all" deletes and marks this server synced.
    private static let replayScript = RedisScript(
        """
        if ARGV[1] == 'recent' and redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
        for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
        if ARGV[1] == 'all' then redis.call('SET', KEYS[1], ARGV[2]) end
        return 1
        """)

    /// One round of re-applying ends to Redis, run every second by each `auth` replica. It
    /// re-deletes the keys of sessions ended in the last seconds (a deletion that failed), and,
    /// when Redis is a server that was not synced (it restarted or was failed over, and may have
    /// lost deletions), every session ended within an access token's life, and marks it synced.
    /// Until then gateways vouch for no session from Redis alone (``SessionKeys/synced``).
    func syncCache() async throws {
        if !endsMayBeMissing.load(ordering: .acquiring) {
            let recent = try await endedSessions(within: .seconds(30))
            let reply = try await redis.evaluate(
                Self.replayScript, keys: [SessionKeys.synced] + recent.map(SessionKeys.session), arguments: ["recent"],
                appendingRunID: true)
            if reply.intValue == 1 { return }
        }
        endsMayBeMissing.store(true, ordering: .releasing)
        let ended = try await endedSessions(within: accessTokenLifetime + .seconds(60))
        try await redis.evaluate(
            Self.replayScript, keys: [SessionKeys.synced] + ended.map(SessionKeys.session), arguments: ["all"], appendingRunID: true)
        endsMayBeMissing.store(false, ordering: .releasing)
        logger.info("session cache synced: ended sessions re-applied to Redis", metadata: ["sessions": "\(ended.count)"])
    }

    /// Forgets sessions that ended (or expired) more than a day ago.
    func prune() async throws {
        try await database.client.query(
            """
            DELETE FROM sessions
            WHERE least(ends_at, idle_until, coalesce(ended_at, 'infinity')) < now() - interval '1 day'
            """, logger: logger)
    }

    private func endedSessions(within window: Duration) async throws -> [String] {
        let rows = try await database.client.query(
            "SELECT id FROM sessions WHERE ended_at > now() - make_interval(secs => \(Int(window.components.seconds)))",
            logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// Best effort: a key that could not be written is put back by the gateway's next `check`.
    private func cache(_ sessionID: String, secondsLeft: Int) async {
        do {
            try await redis.set(SessionKeys.session(sessionID), "1", expiresIn: .seconds(secondsLeft))
        } catch {
            logger.warning("session not cached in Redis", metadata: ["error": "\(error)"])
        }
    }

    /// A deletion that fails is not dropped: the next ``syncCache()`` round (a second later)
    /// re-applies every recent end. Until then the gateways that reach Redis still accept the
    /// session's tokens, and those that cannot refuse every token (503).
    private func uncache(_ sessionIDs: [String]) async {
        guard !sessionIDs.isEmpty else { return }
        do {
            try await redis.delete(sessionIDs.map(SessionKeys.session))
        } catch {
            endsMayBeMissing.store(true, ordering: .releasing)
            logger.warning("ended sessions stay in Redis until the next sync", metadata: ["error": "\(error)"])
        }
    }

    private static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
