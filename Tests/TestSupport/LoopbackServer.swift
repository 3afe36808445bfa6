import Hummingbird
import Logging

/// Serves `router` over HTTP on 127.0.0.1 (an ephemeral port) while `body` runs with the
/// server's base URL (`http://127.0.0.1:PORT`): the real local HTTP peer of a test.
public func servingOnLoopback<Context: RequestContext, Result: Sendable>(
    _ router: Router<Context>, address: String = "127.0.0.1", _ body: (_ baseURL: String) async throws -> Result
) async throws -> Result where Context.Source == ApplicationRequestContextSource {
    let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "loopback-server")
    // Cancelling the server at the end of a test logs an error that is no error here.
    logger.logLevel = .critical
    let server = Application(
        router: router, configuration: .init(address: .hostname(address, port: 0)),
        onServerRunning: { channel in
            portFound.yield(channel.localAddress?.port ?? 0)
            portFound.finish()
        },
        logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        var running = ports.makeAsyncIterator()
        guard let port = await running.next(), port > 0 else { throw LoopbackServerError.noPort }
        return try await body("http://\(address):\(port)")
    }
}

public enum LoopbackServerError: Error {
    case noPort
}
