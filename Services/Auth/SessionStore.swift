import Contracts
import Crypto
import Foundation
import Redis

/// How long a session lives: at most `absoluteSeconds` from sign-in however it is used, and
/// `idleSeconds` without a refresh (ASVS 3.3.2). Its Redis key expires at the earlier of the two,
/// and with it every access token of the session (the gateway checks the key on each request).
struct SessionLifetime: Sendable, Equatable {
    let absoluteSeconds: Int
    let idleSeconds: Int

    /// Seconds left to a session used at `now` that ends for good at `end`; 0 once it has ended.
    /// The rotation script computes the same in Redis.
    func secondsLeft(now: Int, end: Int) -> Int {
        max(0, min(idleSeconds, end - now))
    }
}

/// Sessions and their refresh-token families in Redis. A session holds the hash of its one live
/// refresh token; refreshing swaps it atomically. Presenting a spent refresh token means it was
/// stolen or replayed, so the whole session ends (RFC 6819 §5.2.2.3 rotation with reuse detection).
struct SessionStore: Sendable {
    enum Rotation: Equatable {
        case rotated(userID: UUID, sessionID: String, refreshToken: String)
        case unknown
        case reused
    }

    let redis: RedisClient
    let lifetime: SessionLifetime

    /// ARGV: the presented refresh hash, the next one, now, the idle limit (seconds). Returns
    /// {1, user_id} after a rotation, {0} when the session is gone or past its absolute end (then
    /// deleted), {-1, user_id} on reuse.
    private static let rotateScript = RedisScript(
        """
        local current = redis.call('HGET', KEYS[1], 'refresh')
        if not current then return {0, ''} end
        local user = redis.call('HGET', KEYS[1], 'user_id')
        if current ~= ARGV[1] then
          redis.call('DEL', KEYS[1])
          return {-1, user}
        end
        local left = math.min(tonumber(ARGV[4]), tonumber(redis.call('HGET', KEYS[1], 'ends_at') or 0) - tonumber(ARGV[3]))
        if left <= 0 then
          redis.call('DEL', KEYS[1])
          return {0, ''}
        end
        redis.call('HSET', KEYS[1], 'refresh', ARGV[2])
        redis.call('EXPIRE', KEYS[1], left)
        return {1, user}
        """)

    func create(userID: UUID) async throws -> (sessionID: String, refreshToken: String) {
        let sessionID = RandomToken.make(bytes: 16)
        let secret = RandomToken.make(bytes: 32)
        let key = TokenRevocation.sessionKey(sessionID)
        let user = userID.uuidString.lowercased()
        let now = Int(Date().timeIntervalSince1970)
        let end = now + lifetime.absoluteSeconds
        let replies = try await redis.pipeline([
            ["HSET", key, "user_id", user, "refresh", Self.hash(secret), "created_at", String(now), "ends_at", String(end)],
            ["EXPIRE", key, String(lifetime.secondsLeft(now: now, end: end))],
            ["SADD", Self.userSessionsKey(user), sessionID],
            ["EXPIRE", Self.userSessionsKey(user), String(lifetime.absoluteSeconds)],
        ])
        for reply in replies { _ = try reply.get() }
        return (sessionID, "\(sessionID).\(secret)")
    }

    func rotate(_ refreshToken: String) async throws -> Rotation {
        let parts = refreshToken.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return .unknown }
        let (sessionID, secret) = (parts[0], parts[1])
        let next = RandomToken.make(bytes: 32)
        let reply = try await redis.evaluate(
            Self.rotateScript, keys: [TokenRevocation.sessionKey(sessionID)],
            arguments: [Self.hash(secret), Self.hash(next), String(Int(Date().timeIntervalSince1970)), String(lifetime.idleSeconds)])
        guard let values = reply.arrayValue, values.count == 2, let status = values[0].intValue else { return .unknown }
        let userID = values[1].stringValue.flatMap(UUID.init(uuidString:))
        switch (status, userID) {
        case (1, let userID?):
            return .rotated(userID: userID, sessionID: sessionID, refreshToken: "\(sessionID).\(next)")
        case (-1, let userID?):
            _ = try await redis.send(["SREM", Self.userSessionsKey(userID.uuidString.lowercased()), sessionID])
            return .reused
        default:
            return .unknown
        }
    }

    /// Ends every session of a user except `kept` (the caller's own, after a password change).
    private static let endAllScript = RedisScript(
        """
        local ids = redis.call('SMEMBERS', KEYS[1])
        local ended = 0
        for _, id in ipairs(ids) do
          if id ~= ARGV[2] then
            redis.call('DEL', ARGV[1] .. id)
            redis.call('SREM', KEYS[1], id)
            ended = ended + 1
          end
        end
        return ended
        """)

    @discardableResult
    func endAll(userID: UUID, keeping kept: String? = nil) async throws -> Int {
        let reply = try await redis.evaluate(
            Self.endAllScript, keys: [Self.userSessionsKey(userID.uuidString.lowercased())],
            arguments: [TokenRevocation.sessionKey(""), kept ?? ""])
        return reply.intValue ?? 0
    }

    func end(sessionID: String, userID: UUID) async throws {
        let replies = try await redis.pipeline([
            ["DEL", TokenRevocation.sessionKey(sessionID)],
            ["SREM", Self.userSessionsKey(userID.uuidString.lowercased()), sessionID],
        ])
        for reply in replies { _ = try reply.get() }
    }

    /// Has the gateways close every WebSocket the user has open now (`SocketAccessWatch`); ones
    /// opened later are not affected. Kept as long as a session lives, past any token's life.
    func closeSockets(of userID: UUID) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await redis.set(
            TokenRevocation.socketsClosedBeforeKey(userID), String(now), expiresIn: .seconds(lifetime.absoluteSeconds))
    }

    /// Refuses one access token until it would have expired anyway.
    func revokeAccessToken(_ tokenID: String, expiresAt: Date) async throws {
        let seconds = Int(expiresAt.timeIntervalSinceNow.rounded(.up))
        guard seconds > 0 else { return }
        _ = try await redis.set(TokenRevocation.revokedTokenKey(tokenID), "1", expiresIn: .seconds(seconds))
    }

    private static func userSessionsKey(_ userID: String) -> String { "auth:user-sessions:\(userID)" }

    private static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
