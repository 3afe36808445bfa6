import Logging
import Synchronization

/// Opens connections to the endpoint's server (with sentinels: to the primary they name now),
/// failing fast while Redis is known to be down.
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
            logger.debug("Redis closed an idle connection, reconnecting", metadata: ["redis": "\(endpoint.description)"])
        }
        return try connect()
    }

    private func connect() throws(RedisError) -> RedisConnection {
        let now = ContinuousClock.now
        if let error = backoff.withLock({ $0.retryAfter.map { now < $0 } == true ? $0.lastError : nil }) {
            throw error
        }
        do {
            let connection = try connectToPrimary()
            let recovered = backoff.withLock { backoff in
                defer { backoff = Backoff() }
                return backoff.lastError != nil
            }
            if recovered { logger.info("Reconnected to Redis", metadata: ["redis": "\(endpoint.description)"]) }
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
                metadata: ["redis": "\(endpoint.description)", "error": "\(error)", "retry_in": "\(delay)"])
            throw error
        }
    }

    private func connectToPrimary() throws(RedisError) -> RedisConnection {
        let address: RedisEndpoint.Address
        switch endpoint.servers {
        case .single(let server): address = server
        case .sentinels(let sentinels, let name): address = try primaryAddress(named: name, askingIn: sentinels)
        }
        let connection = try RedisConnection(to: address, of: endpoint, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        // A sentinel may still name a primary that a failover has just demoted.
        if case .sentinels = endpoint.servers, !connection.isPrimary {
            throw .connectionFailed(address: address.description, reason: "not the primary (a failover is under way)")
        }
        return connection
    }

    /// The first sentinel that answers names the primary. Every sentinel is asked in turn, so
    /// one that is down (or cut off) costs a connect timeout at most.
    private func primaryAddress(named name: String, askingIn sentinels: [RedisEndpoint.Address]) throws(RedisError) -> RedisEndpoint.Address
    {
        var reasons: [String] = []
        for sentinel in sentinels {
            do throws(RedisError) {
                let connection = try RedisConnection(address: sentinel, connectTimeout: connectTimeout, commandTimeout: connectTimeout)
                let reply = try connection.run(["SENTINEL", "get-master-addr-by-name", name])
                guard let parts = reply.arrayValue?.compactMap(\.stringValue), parts.count == 2, let port = Int(parts[1]) else {
                    throw .unexpectedReply(command: "SENTINEL get-master-addr-by-name", reply: reply)
                }
                return RedisEndpoint.Address(host: parts[0], port: port)
            } catch {
                reasons.append("\(sentinel): \(error)")
            }
        }
        throw .connectionFailed(address: endpoint.description, reason: "no sentinel named the primary (\(reasons.joined(separator: "; ")))")
    }
}
