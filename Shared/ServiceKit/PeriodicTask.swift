import Logging
import Messaging
import ServiceLifecycle

/// Work repeated at an interval for the life of the service (sweeps). A failed round is logged
/// and the next one runs as planned; so is a round stuck past five minutes (on a connection that
/// went away), which is cancelled and abandoned rather than ending the repetition.
public struct PeriodicTask: Service {
    static let roundLimit = Duration.seconds(300)

    let name: String
    let interval: Duration
    let logger: Logger
    let round: @Sendable () async throws -> Void

    /// - Parameters:
    ///   - name: names the work in the logs.
    ///   - interval: the pause between the end of one round and the start of the next; the first
    ///     round runs at once.
    ///   - round: one round; with several replicas, guard it with `Database.transactionAlone`.
    public init(_ name: String, every interval: Duration, logger: Logger, round: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.round = round
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await withDeadline(Self.roundLimit, round)
            } catch {
                logger.warning("\(name) failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
            }
            // Graceful shutdown ends the wait at once (a sweep every hour must not hold the process
            // for an hour).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
