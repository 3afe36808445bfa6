import Contracts
import Hummingbird
import ServiceKit

/// Turns a route into an RPC to the owning service and its reply into the HTTP response, body
/// passed through unchanged.
struct Forwarder: Sendable {
    let caller: ServiceCaller
    let timeout: Duration

    func forward<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, context: GatewayContext
    ) async throws -> Response {
        let result = try await caller.call(
            operation, request, principal: context.principal, requestID: context.requestID, timeout: timeout)
        return HTTPReply.json(status: result.status, body: result.body, retryAfter: result.retryAfter)
    }
}
