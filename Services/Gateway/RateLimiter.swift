import Contracts
import Logging
import Redis

/// Fixed-window request budgets in Redis: one atomic script per check, so every gateway replica
/// counts against the same budget. When Redis cannot be asked, requests pass (availability wins
/// here; access tokens still fail closed).
struct RateLimiter: Sendable {
    let redis: RedisClient
    let logger: Logger

    /// Returns {count in this window, milliseconds until the window ends}.
    private static let script = RedisScript(
        """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return {count, redis.call('PTTL', KEYS[1])}
        """)

    /// Counts one request against `budget` per minute for `key`; throws 429 with `Retry-After` when spent.
    func spend(_ key: String, budget: Int, what: String) async throws {
        let reply: RedisValue
        do {
            reply = try await redis.evaluate(Self.script, keys: ["ratelimit:\(key)"], arguments: ["60000"])
        } catch {
            logger.warning("rate limit not checked: Redis unavailable", metadata: ["error": "\(error)"])
            return
        }
        guard let values = reply.arrayValue, let count = values.first?.intValue, count > budget else { return }
        let milliseconds = values.count > 1 ? values[1].intValue ?? 60000 : 60000
        throw Problem.tooManyRequests("Too many \(what); try again later.", retryAfter: max(1, (milliseconds + 999) / 1000))
    }
}
