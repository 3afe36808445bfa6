import Contracts
import Foundation
import Messaging
import Tracing

/// A reply as it came back: the status and the body bytes, ready to pass through or decode.
public struct RPCResult: Sendable {
    public let status: Int
    public let body: [UInt8]
    public let retryAfter: Int?

    public init(status: Int, body: [UInt8], retryAfter: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }

    /// The response body, or the `Problem` the service answered with.
    ///
    /// - Throws: for a status of 400 or more, the `Problem` in the body (or one made from the
    ///   status when the body is not one); otherwise a decoding error when the body is not a `Body`.
    public func decode<Body: Decodable>(_ type: Body.Type) throws -> Body {
        guard status < 400 else {
            throw (try? JSON.decode(Problem.self, from: body))
                ?? Problem(status: status, title: "Error", detail: "The service answered \(status).")
        }
        return try JSON.decode(type, from: body)
    }
}

/// Other services' operations, as a service needs them: one call. `ServiceCaller` makes it over
/// the bus; a test of a service's own operations answers it in memory.
public protocol ServiceCalling: Sendable {
    /// The reply of the service that owns `operation`, as it answered, whatever its status.
    /// Throws a `Problem` when no answer came (`504`) or the service cannot be reached (`503`).
    ///
    /// - Parameters:
    ///   - principal: the caller to act for (the `x-principal` header); nil for an anonymous call.
    ///   - requestID: the request id to log under, passed on from the caller's own context.
    ///   - clientIP: the end client's address, for the callee's audit.
    ///   - idempotencyKey: the key under which the callee keeps its reply to a creating request.
    ///   - timeout: how long to wait; also how long the request may wait in the callee's queue.
    func call<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, principal: Principal?, requestID: String?, clientIP: String?,
        idempotencyKey: String?, timeout: Duration
    ) async throws -> RPCResult
}

extension ServiceCalling {
    /// A call on behalf of the caller of the operation being answered, with the default timeout.
    public func call<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, principal: Principal?, requestID: String?
    ) async throws -> RPCResult {
        try await call(
            operation, request, principal: principal, requestID: requestID, clientIP: nil, idempotencyKey: nil,
            timeout: ServiceCaller.defaultTimeout)
    }
}

/// Calls other services' operations over the bus. Failures of the bus itself become problems a
/// client understands: no answer in time is `504`; a service nobody runs, or a broker that is
/// away, is `503`.
public struct ServiceCaller: ServiceCalling {
    public let client: RPCClient
    let appID: String

    /// Long enough for a call that queues behind a busy service; short enough that a client's
    /// retry with the same idempotency key comes while the record of the first try still stands.
    public static let defaultTimeout: Duration = .seconds(5)

    public init(client: RPCClient, appID: String) {
        self.client = client
        self.appID = appID
    }

    /// Calls the service that owns `operation`. With an `idempotencyKey`, a call lost with a
    /// broker node is sent once more when the connection has moved to another node.
    public func call<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, principal: Principal? = nil,
        requestID: String? = nil, clientIP: String? = nil, idempotencyKey: String? = nil, timeout: Duration = defaultTimeout
    ) async throws -> RPCResult {
        try await call(
            operation, request, on: Operation.service, principal: principal, requestID: requestID, clientIP: clientIP,
            idempotencyKey: idempotencyKey, timeout: timeout)
    }

    /// Calls `operation` on a service named by the caller: for operations that every service
    /// answers, such as `Ping`. The other parameters are those of
    /// ``ServiceCalling/call(_:_:principal:requestID:clientIP:idempotencyKey:timeout:)``.
    ///
    /// - Returns: the callee's reply, whatever its status.
    /// - Throws: `Problem.timeout` (`504`) when no reply came in time (the call may have run);
    ///   `Problem.unavailable` (`503`) when nobody takes the operation, the broker is away, or the
    ///   connection broke with the call in flight; an encoding error when `request` or
    ///   `principal` does not encode.
    public func call<Operation: RPCOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, on service: ServiceName,
        principal: Principal? = nil, requestID: String? = nil, clientIP: String? = nil, idempotencyKey: String? = nil,
        timeout: Duration = defaultTimeout
    ) async throws -> RPCResult {
        var headers: [String: String] = [:]
        if let principal { headers[Principal.headerName] = try PrincipalHeader.text(of: principal) }
        headers[RPCWire.requestIDHeader] = requestID
        headers[RPCWire.clientIPHeader] = clientIP
        headers[RPCWire.idempotencyKeyHeader] = idempotencyKey
        let body = try JSON.encode(request)
        return try await TraceSpans.withOutgoingSpan(Operation.name, ofKind: .client) { hop, span in
            span?.attributes["rpc.system"] = "rabbitmq"
            span?.attributes["rpc.service"] = service.rawValue
            span?.attributes["rpc.method"] = Operation.name
            headers[TraceContext.header] = hop?.traceparent
            let message = OutgoingMessage(
                body: body,
                properties: MessageProperties(
                    messageID: UUID.random().uuidString.lowercased(), type: Operation.name, timestamp: Date(), appID: appID,
                    headers: headers))
            let result = try await send(message, to: service, retryingOnce: idempotencyKey != nil, timeout: timeout)
            span?.attributes["rpc.response.status_code"] = result.status
            if result.status >= 500 { span?.setStatus(SpanStatus(code: .error)) }
            return result
        }
    }

    /// Sends `message` and waits for its reply. The broker node may go away with a call: whether it
    /// ran is then unknown, but a call with an idempotency key runs once however often it is sent,
    /// so it goes again, once, as soon as the connection has moved to another node.
    private func send(
        _ message: OutgoingMessage, to service: ServiceName, retryingOnce: Bool, timeout: Duration
    ) async throws
        -> RPCResult
    {
        var retries = retryingOnce ? 1 : 0
        let reply: Delivery
        while true {
            do {
                reply = try await client.call(exchange: Exchanges.rpc, routingKey: service.rawValue, message: message, timeout: timeout)
                break
            } catch AMQPError.connectionLost where retries > 0 {
                retries -= 1
                let deadline = ContinuousClock.now + timeout
                while !client.connection.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            } catch AMQPError.timedOut {
                throw Problem.timeout("The \(service.rawValue) service did not answer in time. Retry with the same Idempotency-Key.")
            } catch {
                throw Problem.unavailable("The \(service.rawValue) service cannot be reached right now.")
            }
        }
        return RPCResult(
            status: reply.properties.headers[RPCWire.statusHeader].flatMap(Int.init) ?? 500, body: reply.body,
            retryAfter: reply.properties.headers[RPCWire.retryAfterHeader].flatMap(Int.init))
    }
}
