import Contracts
import Logging
import Redis
import ServiceKit

/// Everything the gateway asks Redis before serving a request, in one round trip: it spends the
/// request's budgets (fixed one-minute windows, so every replica counts against the same budget)
/// and, for a verified access token, checks that its session is alive.
///
/// Redis vouches for a session when its key is there and the server is one `auth` has synced
/// (``SessionKeys/synced``). Otherwise (a key lost in a crash, a server restarted or failed over
/// that may have lost a sign-out) `auth` is asked, whose database holds the sessions of record,
/// and it puts a live session's key back: a missing key means "ask", never "signed out".
///
/// Budgets fail open: when Redis cannot be asked, requests pass (availability wins). Token checks
/// fail closed: no token is accepted unchecked (503, so clients retry rather than sign out).
struct Admission: Sendable {
    /// A per-minute allowance of requests for one key (an address, a user, an account).
    struct Budget: Sendable {
        let key: String
        let limit: Int
        /// What the budget counts, for the 429's detail: "requests from your address".
        let what: String
    }

    let redis: RedisClient
    let sessions: SessionCheck
    let logger: Logger

    /// KEYS: the token's session key and the synced marker (ARGV[2] of them: 0 or 2), then one key
    /// per budget. ARGV[3]: the server's run id. Returns, for a token, whether its session key
    /// exists and whether this server is the synced one (1 or 0 each), then {count in this
    /// window, milliseconds until it ends} for each budget.
    private static let script = RedisScript(
        """
        local checks = tonumber(ARGV[2])
        local replies = {}
        if checks == 2 then
          replies[1] = redis.call('EXISTS', KEYS[1])
          replies[2] = redis.call('GET', KEYS[2]) == ARGV[3] and 1 or 0
        end
        for i = checks + 1, #KEYS do
          local count = redis.call('INCR', KEYS[i])
          if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
          replies[#replies + 1] = count
          replies[#replies + 1] = redis.call('PTTL', KEYS[i])
        end
        return replies
        """)

    /// Spends one request from each budget, throwing 429 (with `Retry-After`) for the first one
    /// already spent.
    func spend(_ budgets: [Budget]) async throws {
        if let problem = try await admit(budgets, token: nil) { throw problem }
    }

    /// Spends `budgets` as ``spend(_:)`` does and checks `token`: returns why the token may not be
    /// used (revoked, or not checkable now), or nil when it may. The caller decides when that
    /// matters: a public route ignores a stale token.
    func admit(_ budgets: [Budget], token: AccessTokenClaims?) async throws -> Problem? {
        let tokenKeys = token.map { [SessionKeys.session($0.sid), SessionKeys.synced] } ?? []
        let replies: [Int]
        do {
            let reply = try await redis.evaluate(
                Self.script, keys: tokenKeys + budgets.map { "ratelimit:\($0.key)" },
                arguments: ["60000", String(tokenKeys.count)], appendingRunID: true)
            guard let values = reply.arrayValue?.compactMap(\.intValue), values.count == tokenKeys.count + 2 * budgets.count else {
                throw RedisError.unexpectedReply(command: "EVALSHA", reply: reply)
            }
            replies = values
        } catch {
            logger.warning("budgets not checked: Redis unavailable", metadata: ["error": "\(error)"])
            return token == nil ? nil : Problem.unavailable("Access tokens cannot be checked right now.")
        }
        for (index, budget) in budgets.enumerated() {
            let count = replies[tokenKeys.count + 2 * index], milliseconds = replies[tokenKeys.count + 2 * index + 1]
            if count > budget.limit {
                throw Problem.tooManyRequests(
                    "Too many \(budget.what); try again later.", retryAfter: max(1, (milliseconds + 999) / 1000))
            }
        }
        guard let token else { return nil }
        if replies[0] == 1 && replies[1] == 1 { return nil }
        return await sessions.refusal(of: token.sid)
    }
}
