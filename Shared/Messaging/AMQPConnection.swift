import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One connection to RabbitMQ, driven by a thread of its own: rabbitmq-c connections are not
/// thread-safe and their calls block, so every C call happens on that thread and callers talk to
/// it through a mailbox. The connection reconnects by itself with capped backoff, re-declares its
/// topology and resumes its consumers; while it is down, operations fail fast with `notConnected`.
///
/// The platform uses separate connections for publishing and for consuming, so that the broker's
/// flow control on publishers never stalls acknowledgements.
public final class AMQPConnection: Sendable {
    public let name: String
    let configuration: AMQPConfiguration
    let topology: Topology
    let logger: Logger
    let onReturn: (@Sendable (ReturnedMessage) -> Void)?
    let onConnectionLost: (@Sendable (String) -> Void)?
    let mailbox = Mailbox()
    private let connected = Atomic(false)
    private let started = Atomic(false)
    private let consumerCount = Atomic(0)

    /// Makes the connection; nothing connects until ``start()`` (or ``run()``).
    ///
    /// - Parameters:
    ///   - name: names the thread, the consumer tags and the `amqp.connection` log metadata, e.g.
    ///     `loans-1-publish`.
    ///   - topology: what the connection declares on every connect, before resuming consumers.
    ///   - onReturn: called on the connection's thread for every mandatory message the broker
    ///     could not route; keep it short.
    ///   - onConnectionLost: called on the connection's thread, with the reason, when a broker
    ///     connection breaks (before reconnecting); keep it short.
    public init(
        name: String, configuration: AMQPConfiguration, topology: Topology = Topology(), logger: Logger,
        onReturn: (@Sendable (ReturnedMessage) -> Void)? = nil, onConnectionLost: (@Sendable (String) -> Void)? = nil
    ) {
        self.name = name
        self.configuration = configuration
        self.topology = topology
        self.onReturn = onReturn
        self.onConnectionLost = onConnectionLost
        var logger = logger
        logger[metadataKey: "amqp.connection"] = "\(name)"
        self.logger = logger
    }

    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    func setConnected(_ value: Bool) {
        connected.store(value, ordering: .relaxed)
    }

    /// Starts the connection's thread; it connects in the background. Calling it again does nothing.
    public func start() {
        guard started.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        let thread = Thread { [self] in
            ConnectionWorker(connection: self).run()
        }
        thread.name = "amqp-\(name)"
        thread.start()
    }

    /// Publishes a message. With `confirm`, returns once the broker has taken responsibility for
    /// it (publisher confirm) and throws if it refused it or, when `mandatory`, could not route it.
    ///
    /// - Parameters:
    ///   - exchange: the exchange's name; `""` is the default exchange, where `routingKey` names a queue.
    ///   - mandatory: have the broker return the message when no queue is bound for `routingKey`,
    ///     rather than drop it.
    ///   - confirm: wait for the broker's confirm. Without it, the call returns once the message is
    ///     handed to the socket, and a returned one reaches only the `onReturn` handler.
    /// - Throws: ``AMQPError/notConnected`` while the broker is away; ``AMQPError/connectionLost(_:)``
    ///   when the connection broke before the confirm (the message may have been taken: publish
    ///   again, consumers absorb duplicates); ``AMQPError/nacked(messageID:)``;
    ///   ``AMQPError/unroutable(exchange:routingKey:)``; ``AMQPError/closed`` after ``close()``.
    public func publish(
        _ message: OutgoingMessage, exchange: String, routingKey: String, mandatory: Bool = false,
        confirm: Bool = true
    ) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            publish(message, exchange: exchange, routingKey: routingKey, mandatory: mandatory, confirm: confirm) {
                continuation.resume(with: $0)
            }
        }
    }

    /// Hands a message to the connection's thread and returns at once; `completion` gets the same
    /// outcome the async `publish` would return, on the connection's thread (keep it short). For a
    /// caller that has nothing to do with the outcome but report it: waiting for it would cost a
    /// thread hop per message, and an RPC waits for its reply anyway.
    public func publish(
        _ message: OutgoingMessage, exchange: String, routingKey: String, mandatory: Bool = false,
        confirm: Bool = true, completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) {
        let posted = mailbox.post { worker in
            worker.publish(
                message, exchange: exchange, routingKey: routingKey, mandatory: mandatory, confirm: confirm,
                complete: completion)
        }
        if !posted { completion(.failure(AMQPError.closed)) }
    }

    /// Publishes several messages in order, keeping them all in flight at once, and reports each
    /// one's outcome (in the batch's order) once the broker confirmed or refused them all.
    ///
    /// - Returns: one result per publication, at the same index: a failure is one of the errors
    ///   the single `publish` throws. The batch is not atomic: some may succeed and others fail.
    public func publish(_ batch: [Publication], confirm: Bool = true) async -> [Result<Void, any Error>] {
        await withCheckedContinuation { continuation in
            let posted = mailbox.post { worker in worker.publish(batch, confirm: confirm, continuation: continuation) }
            if !posted { continuation.resume(returning: batch.map { _ in .failure(AMQPError.closed) }) }
        }
    }

    /// Starts consuming `queue`, now and after every reconnect, until the consumer is cancelled.
    /// `deliver` runs on the connection's thread: hand the delivery off, do not work there.
    /// Throws only if the broker refuses the consumer right now.
    ///
    /// - Parameters:
    ///   - prefetch: the most unacknowledged deliveries the broker hands this consumer at once;
    ///     ignored with `noAck`.
    ///   - noAck: the broker counts a message delivered as soon as it sends it (for replies to
    ///     RPCs, which nothing redelivers); settling such a delivery does nothing.
    ///   - deliver: called for each delivery, in order, on the connection's thread.
    ///   - finish: called once when the consumer ends: cancelled, or its connection closed.
    ///     Not called on a reconnect, after which deliveries simply resume.
    /// - Returns: the consumer, to cancel.
    /// - Throws: ``AMQPError/operationFailed(_:)`` when the broker refuses it (the queue is
    ///   missing, say; the connection then starts afresh); ``AMQPError/closed`` after ``close()``.
    ///   While the broker is away it does not throw: the consumer starts on the next connect.
    public func consume(
        queue: String, prefetch: UInt16, noAck: Bool = false,
        deliver: @escaping @Sendable (Delivery) -> Void, finish: @escaping @Sendable () -> Void = {}
    ) async throws -> Consumer {
        let number = consumerCount.add(1, ordering: .relaxed).newValue
        let registration = ConsumerRegistration(
            tag: "\(name)-\(number)", queue: queue, prefetch: prefetch, noAck: noAck, deliver: deliver,
            finish: finish)
        try await perform { worker, continuation in worker.add(registration, continuation: continuation) }
        return Consumer(tag: registration.tag, connection: self)
    }

    /// Consumes `queue` as an async sequence of deliveries; the sequence ends when the consumer is
    /// cancelled or the connection closes.
    ///
    /// - Returns: the deliveries, and the consumer to cancel (which ends the sequence).
    /// - Throws: as ``consume(queue:prefetch:noAck:deliver:finish:)``.
    public func deliveries(from queue: String, prefetch: UInt16) async throws -> (AsyncStream<Delivery>, Consumer) {
        let (stream, continuation) = AsyncStream.makeStream(of: Delivery.self)
        let consumer = try await consume(
            queue: queue, prefetch: prefetch, deliver: { continuation.yield($0) }, finish: { continuation.finish() })
        return (stream, consumer)
    }

    /// Runs synchronous broker operations (declare, inspect, purge…) on the connection's thread.
    ///
    /// - Parameter body: the operations; it blocks the connection's thread (and so its
    ///   publishes and deliveries) while it runs, so keep it to a few broker calls.
    /// - Returns: what `body` returned.
    /// - Throws: ``AMQPError/notConnected`` while the broker is away, ``AMQPError/closed`` after
    ///   ``close()``, or `body`'s error. A failed broker call closes the channel, so the connection
    ///   starts afresh (reconnects) after one.
    public func withSession<Result: Sendable>(
        _ body: @escaping @Sendable (AMQPSession) throws -> Result
    ) async throws -> Result {
        try await perform { worker, continuation in
            continuation.resume(with: Swift.Result { try worker.withSession(body) })
        }
    }

    /// Waits for outstanding publisher confirms (a few seconds at most), closes the connection and
    /// ends every consumer's sequence. Unacknowledged deliveries go back to their queues.
    public func close() async {
        guard started.load(ordering: .relaxed) else {
            _ = mailbox.close()
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !mailbox.post({ worker in worker.beginClose(continuation) }) { continuation.resume() }
        }
    }

    func settle(_ tag: DeliveryTag, _ settlement: Settlement) {
        _ = mailbox.post { worker in worker.settle(tag, settlement) }
    }

    func cancel(consumerTag: String) async {
        try? await perform { worker, continuation in worker.cancel(consumerTag: consumerTag, continuation: continuation) }
    }

    private func perform<Result: Sendable>(
        _ body: @escaping @Sendable (ConnectionWorker, CheckedContinuation<Result, any Error>) -> Void
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            if !mailbox.post({ worker in body(worker, continuation) }) {
                continuation.resume(throwing: AMQPError.closed)
            }
        }
    }
}

extension AMQPConnection: Service {
    /// Runs the connection until graceful shutdown, then closes it. Put connections before the
    /// services that use them in a `ServiceGroup`, which shuts down in reverse order.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await close()
    }
}

/// A running consumer; cancel it to stop deliveries (those already handed out can still be settled).
public struct Consumer: Sendable {
    let tag: String
    let connection: AMQPConnection

    public func cancel() async {
        await connection.cancel(consumerTag: tag)
    }
}

struct ConsumerRegistration: Sendable {
    let tag: String
    let queue: String
    let prefetch: UInt16
    let noAck: Bool
    let deliver: @Sendable (Delivery) -> Void
    let finish: @Sendable () -> Void
}
