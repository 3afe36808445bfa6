import Hummingbird
import Logging

/// A credit bureau stand-in on 127.0.0.1 (ephemeral port): answers every score request after a
/// fixed latency, like a remote bureau that is never the bottleneck.
enum SimulatedBureau {
    /// Runs `body` with the bureau's base URL while the bureau serves.
    static func serving<T: Sendable>(latency: Duration, _ body: (_ url: String) async throws -> T) async throws -> T {
        let router = Router()
        router.get("/scores/:customer") { _, context -> Response in
            try await Task.sleep(for: latency)
            // Any score on the scale will do; derived from the id so a customer keeps theirs.
            let customer = try context.parameters.require("customer")
            let score = 300 + customer.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % 601
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"score": \#(score)}"#)))
        }
        let (ports, portOpened) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "simulated-bureau")
        logger.logLevel = .critical  // stopping it by cancellation logs an error that is none
        let server = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portOpened.yield(channel.localAddress?.port ?? 0)
                portOpened.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            var opened = ports.makeAsyncIterator()
            guard let port = await opened.next(), port > 0 else { throw BenchError("the simulated bureau did not start") }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
