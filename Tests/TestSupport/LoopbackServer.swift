import Hummingbird
import Logging
import ServiceLifecycle

/// Serves `router` over HTTP on 127.0.0.1 (an ephemeral port) while `body` runs with the
/// server's base URL (`http://127.0.0.1:PORT`): the real local HTTP peer of a test.
///
/// The server stops gracefully: it stops accepting, then lets the requests in flight finish.
/// Cancelling it instead raced a connection being accepted at that moment, and NIO traps on an
/// async channel dropped while it becomes active, which took the whole test process down.
public func servingOnLoopback<Context: RequestContext, Value: Sendable>(
    _ router: Router<Context>, address: String = "127.0.0.1", _ body: (_ baseURL: String) async throws -> Value
) async throws -> Value where Context.Source == ApplicationRequestContextSource {
    let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "loopback-server")
    logger.logLevel = .critical
    let server = Application(
        router: router, configuration: .init(address: .hostname(address, port: 0)),
        onServerRunning: { channel in
            portFound.yield(channel.localAddress?.port ?? 0)
            portFound.finish()
        },
        logger: logger)
    let services = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        let outcome: Result<Value, any Error>
        var running = ports.makeAsyncIterator()
        if let port = await running.next(), port > 0 {
            do { outcome = .success(try await body("http://\(address):\(port)")) } catch { outcome = .failure(error) }
        } else {
            outcome = .failure(LoopbackServerError.noPort)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}

public enum LoopbackServerError: Error {
    case noPort
}
