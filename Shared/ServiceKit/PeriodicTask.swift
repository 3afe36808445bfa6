import Logging
import ServiceLifecycle

/// Work repeated at an interval for the life of the service (sweeps). A failed round is logged
/// and the next one runs as planned.
public struct PeriodicTask: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let round: @Sendable () async throws -> Void

    public init(_ name: String, every interval: Duration, logger: Logger, round: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.round = round
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await round()
            } catch {
                logger.warning("\(name) failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
            }
            // Graceful shutdown ends the wait at once (a sweep every hour must not hold the process
            // for an hour).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
