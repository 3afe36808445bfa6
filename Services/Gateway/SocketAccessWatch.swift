import Contracts
import Foundation
import Logging
import Redis

/// Ends the WebSockets of this replica whose access has ended, within a round of the moment it
/// did: the token expired, its session ended (logout, logout-all, a disabled account, a refresh
/// token replayed), the token was revoked (logout), or `auth` closed the user's sockets (a
/// password change). A socket is checked at its handshake only; this looks again at every socket
/// every round, all of them in one Redis script a few hundred at a time, so it costs the same
/// whichever replica holds a socket and needs no event from `auth`.
///
/// When Redis cannot be asked, sockets stay open (expired ones still close): closing every
/// socket on a Redis blip would send every client reconnecting at once, for nothing.
struct SocketAccessWatch: Sendable {
    static let interval = Duration.milliseconds(500)
    static let socketsPerScript = 300

    let hub: PushHub
    let redis: RedisClient
    let logger: Logger

    /// KEYS: for each socket its session, revoked-token and closed-before keys. ARGV: for each
    /// socket when it opened (Unix ms). Returns 1 for each socket still allowed, 0 for each not.
    private static let script = RedisScript(
        """
        local allowed = {}
        for i = 1, #ARGV do
          local live = redis.call('EXISTS', KEYS[3 * i - 2]) == 1 and redis.call('EXISTS', KEYS[3 * i - 1]) == 0
          local closedBefore = tonumber(redis.call('GET', KEYS[3 * i]) or '0')
          allowed[i] = (live and tonumber(ARGV[i]) > closedBefore) and 1 or 0
        end
        return allowed
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
                    keys: batch.flatMap { socket in
                        [
                            TokenRevocation.sessionKey(socket.access.sessionID),
                            TokenRevocation.revokedTokenKey(socket.access.tokenID),
                            TokenRevocation.socketsClosedBeforeKey(socket.access.user),
                        ]
                    },
                    arguments: batch.map { String(Int64($0.access.openedAt.timeIntervalSince1970 * 1000)) })
                guard let allowed = reply.arrayValue?.compactMap(\.intValue), allowed.count == batch.count else {
                    throw RedisError.unexpectedReply(command: "EVALSHA", reply: reply)
                }
                ended += zip(batch, allowed).filter { $0.1 == 0 }.map(\.0.id)
            } catch {
                logger.warning("WebSockets' access not checked: Redis unavailable", metadata: ["error": "\(error)"])
            }
        }
        hub.end(ended)
    }
}
