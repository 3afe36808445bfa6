import Hummingbird
import Logging
import Synchronization
import TestSupport
import Testing

/// A real HTTP bureau on 127.0.0.1 (ephemeral port) whose answers the test scripts, counting
/// the requests that reach it.
final class StubBureau: Sendable {
    enum Answer: Sendable {
        case score(Int)
        case status(HTTPResponse.Status)
        /// Answers a score, but only after this long.
        case slow(Duration)
    }

    /// Decides the answer to request number `n` (1 for the first).
    private let script: @Sendable (_ n: Int) -> Answer
    private let count = Atomic(0)

    var requests: Int { count.load(ordering: .relaxed) }

    private init(script: @escaping @Sendable (Int) -> Answer) {
        self.script = script
    }

    /// Runs `body` with the bureau's base URL while the bureau serves.
    static func serving<T: Sendable>(
        _ script: @escaping @Sendable (_ n: Int) -> Answer, _ body: (_ url: String, _ bureau: StubBureau) async throws -> T
    ) async throws -> T {
        let bureau = StubBureau(script: script)
        return try await servingOnLoopback(bureau.router()) { url in try await body(url, bureau) }
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/scores/:customer") { _, _ -> Response in
            switch self.script(self.count.add(1, ordering: .relaxed).newValue) {
            case .score(let score):
                return Self.json(score)
            case .status(let status):
                return Response(status: status)
            case .slow(let delay):
                try await Task.sleep(for: delay)
                return Self.json(700)
            }
        }
        return router
    }

    private static func json(_ score: Int) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"score": \#(score)}"#)))
    }
}
