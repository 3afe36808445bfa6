import Logging
import Synchronization

/// Opens connections to one endpoint, failing fast while Redis is known to be down.
///
/// After a failed attempt, attempts within a backoff window (50 ms, doubling up to 1 s) fail at
/// once with the last error instead of each waiting out the connect timeout; the first success
/// resets the window. So a dead Redis costs callers almost nothing, and the client recovers by
/// itself within a second of Redis coming back.
final class Connector: Sendable {
    private struct Backoff {
        var delay: Duration = .zero
        var retryAfter: ContinuousClock.Instant?
        var lastError: RedisError?
    }

    private static let firstDelay = Duration.milliseconds(50)
    private static let maxDelay = Duration.seconds(1)

    private let endpoint: RedisEndpoint
    private let connectTimeout: Duration
    private let commandTimeout: Duration
    private let logger: Logger
    private let backoff = Mutex(Backoff())

    init(endpoint: RedisEndpoint, connectTimeout: Duration, commandTimeout: Duration, logger: Logger) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.logger = logger
    }

    /// Returns `idle` if the server still holds it open, otherwise a new connection. Blocks.
    func connection(reusing idle: RedisConnection?) throws(RedisError) -> RedisConnection {
        if let idle {
            guard idle.isClosedByPeer else { return idle }
            logger.debug("Redis closed an idle connection, reconnecting", metadata: ["redis": "\(endpoint.address)"])
        }
        return try connect()
    }

    private func connect() throws(RedisError) -> RedisConnection {
        let now = ContinuousClock.now
        if let error = backoff.withLock({ $0.retryAfter.map { now < $0 } == true ? $0.lastError : nil }) {
            throw error
        }
        do {
            let connection = try RedisConnection(
                to: endpoint, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
            let recovered = backoff.withLock { backoff in
                defer { backoff = Backoff() }
                return backoff.lastError != nil
            }
            if recovered { logger.info("Reconnected to Redis", metadata: ["redis": "\(endpoint.address)"]) }
            return connection
        } catch {
            let delay = backoff.withLock { backoff in
                backoff.delay = backoff.delay == .zero ? Self.firstDelay : min(backoff.delay * 2, Self.maxDelay)
                backoff.retryAfter = .now + backoff.delay
                backoff.lastError = error
                return backoff.delay
            }
            logger.warning(
                "Cannot connect to Redis",
                metadata: ["redis": "\(endpoint.address)", "error": "\(error)", "retry_in": "\(delay)"])
            throw error
        }
    }
}
