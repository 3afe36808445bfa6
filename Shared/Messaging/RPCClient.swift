import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Request/reply over RabbitMQ with direct reply-to: no reply queue to declare, replies come back
/// on the channel that published the request. Each request carries an `expiration` equal to the
/// caller's timeout, so a request nobody took in time is dropped by the broker, never run late.
public final class RPCClient: Sendable {
    public static let replyQueue = "amq.rabbitmq.reply-to"

    public let connection: AMQPConnection
    private let calls: PendingCalls

    /// Makes the client and its own connection, named `name`; nothing connects until ``start()``.
    public init(name: String, configuration: AMQPConfiguration, topology: Topology = Topology(), logger: Logger) {
        let calls = PendingCalls()
        self.calls = calls
        self.connection = AMQPConnection(
            name: name, configuration: configuration, topology: topology, logger: logger,
            onReturn: { returned in
                guard let id = returned.properties.correlationID else { return }
                calls.resolve(id, .failure(AMQPError.unroutable(exchange: returned.exchange, routingKey: returned.routingKey)))
            },
            // Direct reply-to answers on the channel that sent the request: once it is gone, no
            // reply can come, so the calls fail now instead of at their timeout.
            onConnectionLost: { reason in calls.failAll(AMQPError.connectionLost(reason)) })
    }

    /// Starts the connection and listens for replies (also after reconnects).
    ///
    /// - Throws: as ``AMQPConnection/consume(queue:prefetch:noAck:deliver:finish:)``; not while the
    ///   broker is away (the listening starts when it connects).
    public func start() async throws {
        connection.start()
        let calls = self.calls
        _ = try await connection.consume(queue: Self.replyQueue, prefetch: 0, noAck: true) { reply in
            guard let id = reply.properties.correlationID else { return }
            calls.resolve(id, .success(reply))
        }
    }

    /// Sends `message` and waits for its reply. Throws `timedOut` when no reply came in time,
    /// `unroutable` when no queue takes the routing key, `notConnected` while the broker is away,
    /// `connectionLost` when the connection broke before the reply came (the request may have
    /// been carried out).
    ///
    /// - Parameters:
    ///   - exchange: the direct exchange of the callees' queues, `lending.rpc`.
    ///   - routingKey: the callee's key on `exchange` (on `lending.rpc`, a service's name).
    ///   - message: the request; its correlation id, reply address, expiration and persistence
    ///     are set here.
    ///   - timeout: how long to wait for the reply, and the request's expiration in its queue.
    /// - Returns: the reply (consumed without acknowledgement: nothing to settle).
    public func call(
        exchange: String, routingKey: String, message: OutgoingMessage, timeout: Duration
    ) async throws -> Delivery {
        let id = calls.register()
        var message = message
        message.properties.correlationID = id
        message.properties.replyTo = Self.replyQueue
        message.properties.expiration = String(max(1, timeout.milliseconds))
        message.properties.persistent = false
        // The call waits for its reply, not for the write: a failed publish answers the call.
        let calls = calls
        connection.publish(message, exchange: exchange, routingKey: routingKey, mandatory: true, confirm: false) { result in
            if case .failure(let error) = result { calls.resolve(id, .failure(error)) }
        }
        return try await calls.wait(for: id, timeout: timeout, operation: "\(routingKey) \(message.properties.type ?? "")")
    }
}

extension RPCClient: Service {
    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await connection.close()
    }
}

/// Calls waiting for their reply, keyed by correlation id. A reply may arrive before its caller
/// starts waiting, so a slot can hold an answer as well as a waiter.
final class PendingCalls: Sendable {
    private enum Slot {
        case registered
        case waiting(CheckedContinuation<Delivery, any Error>)
        case answered(Result<Delivery, any Error>)
    }

    private let slots = Mutex<[String: Slot]>([:])
    private let lastCall = Atomic<UInt64>(0)

    /// Opens a slot and returns its correlation id. Replies come back on this connection only
    /// (direct reply-to), so a counter is unique enough and costs no randomness.
    func register() -> String {
        let id = String(lastCall.add(1, ordering: .relaxed).newValue)
        slots.withLock { $0[id] = .registered }
        return id
    }

    /// Late or unknown replies (their caller gave up) are dropped.
    func resolve(_ id: String, _ result: Result<Delivery, any Error>) {
        let waiter = slots.withLock { slots -> CheckedContinuation<Delivery, any Error>? in
            switch slots[id] {
            case .registered:
                slots[id] = .answered(result)
                return nil
            case .waiting(let continuation):
                slots[id] = nil
                return continuation
            case .answered, nil:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// Fails every call still waiting (or about to wait) with `error`.
    func failAll(_ error: any Error) {
        let waiters = slots.withLock { slots -> [CheckedContinuation<Delivery, any Error>] in
            var waiters: [CheckedContinuation<Delivery, any Error>] = []
            for (id, slot) in slots {
                switch slot {
                case .registered: slots[id] = .answered(.failure(error))
                case .waiting(let continuation):
                    slots[id] = nil
                    waiters.append(continuation)
                case .answered: break
                }
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    func wait(for id: String, timeout: Duration, operation: String) async throws -> Delivery {
        let timer = DeadlineClock.process.watch(for: timeout) {
            self.resolve(id, .failure(AMQPError.timedOut(operation: operation)))
        }
        defer { DeadlineClock.process.forget(timer) }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = slots.withLock { slots -> Result<Delivery, any Error>? in
                switch slots[id] {
                case .answered(let result):
                    slots[id] = nil
                    return result
                case .registered:
                    slots[id] = .waiting(continuation)
                    return nil
                case .waiting, nil:
                    return .failure(AMQPError.timedOut(operation: operation))
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
