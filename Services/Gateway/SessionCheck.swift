import Contracts
import Logging
import ServiceKit

/// Asks `auth` about a session Redis cannot vouch for, and remembers the ones that ended: an
/// ended session never comes back, so its tokens cost one question per replica, not one each.
struct SessionCheck: Sendable {
    let caller: any ServiceCalling
    let logger: Logger
    private let ended = BoundedMemo<String, Bool>(capacity: 10_000)

    init(caller: any ServiceCalling, logger: Logger) {
        self.caller = caller
        self.logger = logger
    }

    /// Why the session's tokens may not be used now (ended, or `auth` cannot say), or nil.
    func refusal(of sessionID: String) async -> Problem? {
        if ended.value(for: sessionID) != nil { return Self.revoked }
        do {
            let answer = try await caller.call(
                AuthRPC.CheckSession.self, .init(sessionID: sessionID), principal: nil, requestID: nil, clientIP: nil, idempotencyKey: nil,
                timeout: .seconds(2)
            ).decode(AuthRPC.CheckSession.Response.self)
            guard answer.alive else {
                ended.remember(true, for: sessionID)
                return Self.revoked
            }
            return nil
        } catch {
            logger.warning("session not checked: auth unavailable", metadata: ["error": "\(error)"])
            return Problem.unavailable("Access tokens cannot be checked right now.")
        }
    }

    static let revoked = Problem.unauthorized("The access token has been revoked.", slug: "revoked-token")
}
