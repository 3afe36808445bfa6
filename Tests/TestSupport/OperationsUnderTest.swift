import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit

/// One service's operations and reactions, called as the bus would call them but in process: for
/// tests of a service on a schema of its own (`withTestDatabase`), without a broker.
public struct OperationsUnderTest: Sendable {
    public let rpc: RPCHandlers
    public let events: MessageHandlers
    public let logger = Logger(label: "test.operations")

    public init(rpc: RPCHandlers, events: MessageHandlers = MessageHandlers()) {
        self.rpc = rpc
        self.events = events
    }

    /// The reply to `request` from `caller` (nil: anonymous), whatever its status.
    public func call<Operation: RPCOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, as caller: Principal?, idempotencyKey: String? = nil
    ) async throws -> RPCResult {
        try await rpc.answer(
            operation, request,
            context: RPCContext(principal: caller, requestID: nil, clientIP: nil, idempotencyKey: idempotencyKey, logger: logger))
    }

    /// The response of a call that succeeds; the service's `Problem` is thrown otherwise.
    public func ok<Operation: RPCOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, as caller: Principal?, idempotencyKey: String? = nil
    ) async throws -> Operation.Response {
        try await call(operation, request, as: caller, idempotencyKey: idempotencyKey).decode(Operation.Response.self)
    }

    /// The problem a refused call answers (a call that succeeds fails the test's `#require`).
    public func problem<Operation: RPCOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, as caller: Principal?
    ) async throws -> Problem? {
        let result = try await call(operation, request, as: caller)
        return result.status >= 400 ? try JSON.decode(Problem.self, from: result.body) : nil
    }

    /// Handles an event or command as if it came off the service's queue.
    @discardableResult
    public func deliver<Message: BusMessage>(
        _ message: Message, messageID: String = UUID().uuidString.lowercased()
    ) async throws
        -> QueueConsumer.Outcome
    {
        try await events.deliver(message, messageID: messageID, logger: logger)
    }
}

extension Principal {
    /// A signed-in user with a fresh id.
    public static func signedIn(as role: Role, id: UUID = UUID()) -> Principal {
        Principal(userID: id, role: role, sessionID: "test-session")
    }
}
