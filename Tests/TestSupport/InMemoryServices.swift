import Contracts
import ServiceKit
import Synchronization

/// The other services, answered in memory, for tests of one service's operations without a
/// broker. An operation the test set up is answered by its closure, through the contract's JSON
/// both ways; any other is refused `503`, as a service nobody runs would be. Every call is kept.
public final class InMemoryServices: ServiceCalling {
    private typealias Answer = @Sendable (_ body: [UInt8], _ principal: Principal?) async throws -> RPCResult
    private let answers = Mutex<[String: Answer]>([:])
    private let made = Mutex<[String]>([])

    public init() {}

    /// Answers `operation` with what `reply` returns, with `status`.
    public func answer<Operation: ServiceOperation>(
        _ operation: Operation.Type, status: Int = 200,
        _ reply: @escaping @Sendable (Operation.Request, Principal?) async throws -> Operation.Response
    ) {
        answers.withLock {
            $0[Operation.name] = { body, principal in
                let response = try await reply(try JSON.decode(Operation.Request.self, from: body), principal)
                return RPCResult(status: status, body: try JSON.encode(response))
            }
        }
    }

    /// Answers `operation` with `status` and the JSON `body` as written, after showing the
    /// request and its caller to `inspect`: for callers that pass replies through unread.
    public func answer<Operation: ServiceOperation>(
        _ operation: Operation.Type, status: Int, json body: String,
        inspect: @escaping @Sendable (Operation.Request, Principal?) -> Void = { _, _ in }
    ) {
        answers.withLock {
            $0[Operation.name] = { request, principal in
                inspect(try JSON.decode(Operation.Request.self, from: request), principal)
                return RPCResult(status: status, body: Array(body.utf8))
            }
        }
    }

    /// Answers `operation` with `problem`, as the owning service refuses.
    public func refuse<Operation: ServiceOperation>(_ operation: Operation.Type, with problem: Problem) {
        answers.withLock {
            $0[Operation.name] = { _, _ in RPCResult(status: problem.status, body: try JSON.encode(problem)) }
        }
    }

    /// The operations called so far, by name, in order.
    public var calls: [String] { made.withLock { $0 } }

    public func call<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, principal: Principal?, requestID: String?, clientIP: String?,
        idempotencyKey: String?, timeout: Duration
    ) async throws -> RPCResult {
        made.withLock { $0.append(Operation.name) }
        guard let answer = answers.withLock({ $0[Operation.name] }) else {
            throw Problem.unavailable("The \(Operation.service.rawValue) service cannot be reached right now.")
        }
        return try await answer(try JSON.encode(request), principal)
    }
}
