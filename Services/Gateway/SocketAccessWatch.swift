import Contracts
import Foundation
import Logging
import Redis

/// Ends the WebSockets of this replica whose access has ended, within a round of the moment it
/// did: the token expired, its session ended (logout, logout-all, a disabled account, a refresh
/// token replayed), or `auth` closed the user's sockets (a password change). A socket is checked at its handshake only; this looks again at every socket
/// every round, all of them in one Redis script a few hundred at a time, so it costs the same
/// whichever replica holds a socket and needs no event from `auth`.
///
/// A socket whose session key is missing is asked about to `auth` (``SessionCheck``), as a
/// request would be. When Redis cannot be asked, or is a server `auth` has not synced yet,
/// sockets stay open for the round (expired ones still close): closing every socket on a Redis
/// blip would send every client reconnecting at once, for nothing.
struct SocketAccessWatch: Sendable {
    static let interval = Duration.milliseconds(500)
    static let socketsPerScript = 300

    let hub: PushHub
    let redis: RedisClient
    let sessions: SessionCheck
    let logger: Logger

    private enum Verdict: Int {
        case closed = 0, allowed = 1, askAuth = 2
    }

    /// KEYS: the synced marker, then for each socket its session and closed-before keys. ARGV:
    /// for each socket when it opened (Unix ms), then the server's run id. Returns {} when the
    /// server is not the synced one, else a ``Verdict`` for each socket.
    private static let script = RedisScript(
        """
        if redis.call('GET', KEYS[1]) ~= ARGV[#ARGV] then return {} end
        local verdicts = {}
        for i = 1, #ARGV - 1 do
          local closedBefore = tonumber(redis.call('GET', KEYS[2 * i + 1]) or '0')
          if tonumber(ARGV[i]) <= closedBefore then verdicts[i] = 0
          elseif redis.call('EXISTS', KEYS[2 * i]) == 1 then verdicts[i] = 1
          else verdicts[i] = 2 end
        end
        return verdicts
        """)

    /// One round: ends every socket that may no longer be open.
    func check() async {
        let sockets = hub.openSockets()
        guard !sockets.isEmpty else { return }
        let now = Date()
        var ended = sockets.filter { $0.access.expiresAt <= now }.map(\.id)
        let live = sockets.filter { $0.access.expiresAt > now }
        for start in stride(from: 0, to: live.count, by: Self.socketsPerScript) {
            let batch = live[start..<min(start + Self.socketsPerScript, live.count)]
            do {
                let reply = try await redis.evaluate(
                    Self.script,
                    keys: [SessionKeys.synced]
                        + batch.flatMap { [SessionKeys.session($0.access.sessionID), SessionKeys.socketsClosedBefore($0.access.user)] },
                    arguments: batch.map { String(Int64($0.access.openedAt.timeIntervalSince1970 * 1000)) }, appendingRunID: true)
                guard let values = reply.arrayValue?.compactMap(\.intValue) else {
                    throw RedisError.unexpectedReply(command: "EVALSHA", reply: reply)
                }
                let verdicts = values.compactMap(Verdict.init(rawValue:))
                if verdicts.isEmpty { continue }  // not synced yet: the next round decides
                guard verdicts.count == batch.count else { throw RedisError.unexpectedReply(command: "EVALSHA", reply: reply) }
                for (socket, verdict) in zip(batch, verdicts) {
                    switch verdict {
                    case .allowed: break
                    case .closed: ended.append(socket.id)
                    case .askAuth:
                        if await sessions.refusal(of: socket.access.sessionID) == SessionCheck.revoked { ended.append(socket.id) }
                    }
                }
            } catch {
                logger.warning("WebSockets' access not checked: Redis unavailable", metadata: ["error": "\(error)"])
            }
        }
        hub.end(ended)
    }
}
