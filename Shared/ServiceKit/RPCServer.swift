import Contracts
import Foundation
import Logging
import Messaging
import Metrics
import Persistence
import ServiceLifecycle

/// What an RPC handler knows about its call.
public struct RPCContext: Sendable {
    /// The authenticated caller, as the gateway verified it; nil for anonymous calls.
    public let principal: Principal?
    public let requestID: String?
    /// The client's address, when the call came through the gateway.
    public let clientIP: String?
    /// The client's idempotency key on a creating request, scoped by the gateway (see
    /// `Database.transaction(once:)`).
    public let idempotencyKey: String?
    public let logger: Logger

    public init(
        principal: Principal?, requestID: String? = nil, clientIP: String? = nil, idempotencyKey: String? = nil, logger: Logger
    ) {
        self.principal = principal
        self.requestID = requestID
        self.clientIP = clientIP
        self.idempotencyKey = idempotencyKey
        self.logger = logger
    }

    /// The caller, for operations anyone signed in may call.
    ///
    /// - Throws: `Problem.unauthorized` (`401`) for an anonymous call.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw Problem.unauthorized("Sign in first.") }
        return principal
    }

    /// The caller, if their role is one of `roles`; 403 otherwise. Services check this themselves:
    /// the gateway is not the only line of defence.
    ///
    /// - Throws: `Problem.unauthorized` (`401`) for an anonymous call; `Problem.mfaSetupRequired`
    ///   (`403`) for staff who must set up MFA first, whatever their role; `Problem.forbidden`
    ///   (`403`) for another role.
    public func requireRole(_ roles: Set<Role>) throws -> Principal {
        let principal = try requirePrincipal()
        guard !principal.mfaSetupRequired else { throw Problem.mfaSetupRequired }
        guard roles.contains(principal.role) else { throw Problem.forbidden("Your role may not do this.") }
        return principal
    }
}

/// A handler's answer: an HTTP-style status and a body the gateway passes through unchanged.
public struct RPCReply<Body: Encodable & Sendable>: Sendable {
    public var status: Int
    public var body: Body

    public init(status: Int, body: Body) {
        self.status = status
        self.body = body
    }

    public static func ok(_ body: Body) -> Self { Self(status: 200, body: body) }
    public static func created(_ body: Body) -> Self { Self(status: 201, body: body) }
    public static func accepted(_ body: Body) -> Self { Self(status: 202, body: body) }
}

extension RPCReply where Body == Empty {
    public static var noContent: Self { Self(status: 204, body: Empty()) }
}

/// An encoded reply, as it travels back to the caller.
struct RPCResponse: Sendable {
    let status: Int
    let body: [UInt8]
    let retryAfter: Int?

    init(status: Int, body: [UInt8], retryAfter: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }

    init(_ problem: Problem) {
        self.init(status: problem.status, body: (try? JSON.encode(problem)) ?? [], retryAfter: problem.retryAfter)
    }
}

/// The operations a service answers, keyed by operation name.
public struct RPCHandlers: Sendable {
    typealias Handler = @Sendable (_ body: [UInt8], RPCContext) async -> RPCResponse
    private(set) var handlers: [String: Handler] = [:]

    public init() {}

    /// Registers the handler of `operation`. Throw a `Problem` for a refusal the caller should see;
    /// any other error is logged and answered `500` without details.
    public mutating func on<Operation: RPCOperation>(
        _ operation: Operation.Type,
        _ handler: @escaping @Sendable (Operation.Request, RPCContext) async throws -> RPCReply<Operation.Response>
    ) {
        handlers[Operation.name] = { body, context in
            let request: Operation.Request
            do {
                request = try JSON.decode(Operation.Request.self, from: body)
            } catch {
                return RPCResponse(.badRequest("The request does not match \(Operation.name): \(error)"))
            }
            do {
                let reply = try await handler(request, context)
                return RPCResponse(status: reply.status, body: try JSON.encode(reply.body))
            } catch let problem as Problem {
                return RPCResponse(problem)
            } catch  where DatabaseOutage.matches(error) {
                context.logger.warning("RPC handler failed: database unavailable", metadata: ["error": "\(error)"])
                return RPCResponse(.unavailable("The service's database cannot be reached right now."))
            } catch {
                if !UnreadableRow.report(error, logger: context.logger) {
                    context.logger.error("RPC handler failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                return RPCResponse(.internalError)
            }
        }
    }
}

extension RPCHandlers {
    /// The reply to `request` as the service gives it over the bus: the same decoding, the same
    /// handler and the same mapping of errors to problems, without a broker. For tests of a
    /// service's operations.
    ///
    /// - Returns: the status and encoded body the caller would receive.
    /// - Throws: `Problem.notFound` when no handler answers `operation`; an encoding error when
    ///   `request` does not encode. A handler's own errors become the result's status.
    public func answer<Operation: RPCOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, context: RPCContext
    ) async throws -> RPCResult {
        guard let handler = handlers[Operation.name] else { throw Problem.notFound("No handler for \(Operation.name).") }
        let response = await handler(try JSON.encode(request), context)
        return RPCResult(status: response.status, body: response.body, retryAfter: response.retryAfter)
    }
}

/// Answers a service's RPC queue: each request runs its handler and the reply goes to the
/// caller's direct reply-to address. Requests are acknowledged once their reply is handed to the
/// publishing connection; a request whose caller already gave up expired in the queue and never
/// reaches a handler.
struct RPCServer: Service {
    let service: ServiceName
    let instance: String
    let handlers: RPCHandlers
    let consumer: AMQPConnection
    let publisher: AMQPConnection
    let prefetch: UInt16
    let logger: Logger

    private static let durations = MetricHandles(timers: "rpc_server_duration_seconds", dimensions: ["operation", "status"])

    func run() async throws {
        let queueConsumer = QueueConsumer(
            connection: consumer, queue: service.rpcQueue, prefetch: prefetch,
            // Far past any caller's timeout: it answers nobody by then, but a handler stuck on a
            // dead connection must give back its prefetch slot (and not hold up shutdown).
            handlerDeadline: .seconds(15), spanKind: .server, logger: logger
        ) { request in
            await answer(request)
            return .ack
        }
        try await queueConsumer.run()
    }

    private func answer(_ request: Delivery) async {
        guard let replyTo = request.properties.replyTo else {
            logger.warning("RPC request without reply-to dropped", metadata: ["type": "\(request.properties.type ?? "-")"])
            return
        }
        let operation = request.properties.type ?? ""
        let requestID = request.properties.headers[RPCWire.requestIDHeader]
        var logger = logger
        logger[metadataKey: "request_id"] = requestID.map { "\($0)" }
        logger[metadataKey: "operation"] = "\(operation)"
        let started = ContinuousClock.now
        let response: RPCResponse
        if let handler = handlers.handlers[operation] {
            do {
                let principal = try request.properties.headers[Principal.headerName].map(PrincipalHeader.principal(from:))
                let context = RPCContext(
                    principal: principal, requestID: requestID,
                    clientIP: request.properties.headers[RPCWire.clientIPHeader],
                    idempotencyKey: request.properties.headers[RPCWire.idempotencyKeyHeader], logger: logger)
                // In the request's trace: QueueConsumer runs every delivery in its `traceparent`
                // (and in a server span when spans are recorded).
                response = await handler(request.body, context)
            } catch {
                response = RPCResponse(.badRequest("Malformed \(Principal.headerName) header."))
            }
        } else {
            response = RPCResponse(.notFound("\(service.rawValue) does not answer \(operation)."))
        }
        Self.durations(operation, String(response.status)).recordInterval(since: started)
        var headers = [RPCWire.statusHeader: String(response.status)]
        headers[RPCWire.retryAfterHeader] = response.retryAfter.map(String.init)
        let reply = OutgoingMessage(
            body: response.body,
            properties: MessageProperties(
                messageID: UUID.random().uuidString.lowercased(), type: RPCWire.replyType, timestamp: Date(), appID: instance,
                correlationID: request.properties.correlationID, persistent: false, headers: headers))
        // Not awaited: a reply is not confirmed either way (the caller's timeout covers a lost one),
        // and waiting for the write cost a thread hop per call.
        publisher.publish(reply, exchange: "", routingKey: replyTo, confirm: false) { [logger] result in
            if case .failure(let error) = result { logger.warning("could not send an RPC reply", metadata: ["error": "\(error)"]) }
        }
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
