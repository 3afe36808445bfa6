import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Tracing

/// Consumes a queue with bounded prefetch, runs a handler per delivery concurrently, and settles
/// each delivery after its handler finished: acknowledged, dead-lettered (a message that can never
/// succeed, such as one that does not decode), or retried. A failing handler is first retried here,
/// with backoff, for up to `retryWindow` (a database restarting must not park good messages: a
/// requeue counts against the queue's delivery limit), then requeued; past the delivery limit the
/// broker parks the message.
///
/// On graceful shutdown it stops taking deliveries, lets the running handlers finish and settles
/// them; deliveries it had not started return to the queue when the connection closes.
public struct QueueConsumer: Service {
    /// What a handler made of a delivery, and so how the consumer settles it.
    public enum Outcome: Sendable {
        /// Done (or nothing to do): acknowledge it, the broker forgets it.
        case ack
        /// It can never succeed (it does not decode, or no service should send it): park it in
        /// the queue's dead-letter queue, where it is counted and can be inspected or replayed.
        case deadLetter
        /// It failed for now (the database is away, a call timed out): run the handler again
        /// here with backoff for up to `retryWindow`, then requeue it.
        case retry
    }

    private let connection: AMQPConnection
    private let queue: String
    private let prefetch: UInt16
    private let logger: Logger
    private let retryBackoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
    private let retryWindow: Duration
    private let handlerDeadline: Duration
    private let spanKind: SpanKind
    private let handler: @Sendable (Delivery) async -> Outcome

    /// - Parameters:
    ///   - connection: the consuming connection (not the one the service publishes on).
    ///   - queue: a queue in the connection's topology, so that it exists after every reconnect.
    ///   - prefetch: the most deliveries handled at once.
    ///   - retryWindow: how long a delivery is retried here before it is requeued.
    ///   - handlerDeadline: how long one run of the handler may take before it is abandoned and
    ///     counted as ``Outcome/retry``.
    ///   - spanKind: what each delivery's span is when spans are recorded (``TraceSpans``):
    ///     `.consumer` for messages, `.server` for RPC requests.
    ///   - handler: runs once per attempt, in the message's trace; it must be idempotent, since a
    ///     message can come again (see `Database.processOnce` in Persistence).
    public init(
        connection: AMQPConnection, queue: String, prefetch: UInt16, retryWindow: Duration = .seconds(30),
        handlerDeadline: Duration = .seconds(15), spanKind: SpanKind = .consumer, logger: Logger,
        handler: @escaping @Sendable (Delivery) async -> Outcome
    ) {
        self.connection = connection
        self.queue = queue
        self.prefetch = prefetch
        self.retryWindow = retryWindow
        self.handlerDeadline = handlerDeadline
        self.spanKind = spanKind
        self.logger = logger
        self.handler = handler
    }

    public func run() async throws {
        guard let (deliveries, consumer) = await subscribe() else { return }
        let outcomes = [Outcome.ack, .deadLetter, .retry].reduce(into: [String: Counter]()) { counters, outcome in
            counters["\(outcome)"] = Counter(
                label: "messages_consumed_total", dimensions: [("queue", queue), ("outcome", "\(outcome)")])
        }
        // How long messages waited between their publication and their consumption: the lag an
        // alert on a backlog looks at.
        let age = Metrics.Timer(label: "message_age_seconds", dimensions: [("queue", queue)])
        await withDiscardingTaskGroup { group in
            for await delivery in deliveries.cancelOnGracefulShutdown() {
                if let published = delivery.properties.timestamp {
                    // Whole seconds: AMQP timestamps have no finer grain.
                    age.recordSeconds(max(0, Date().timeIntervalSince(published)))
                }
                group.addTask {
                    var outcome = await attempt(delivery)
                    let giveUp = ContinuousClock.now + retryWindow
                    var retries = 0
                    while outcome == .retry, ContinuousClock.now < giveUp, !Task.isShuttingDownGracefully {
                        outcomes["\(outcome)"]?.increment()
                        try? await Task.sleep(for: retryBackoff.delay(attempt: retries))
                        retries += 1
                        outcome = await attempt(delivery)
                    }
                    outcomes["\(outcome)"]?.increment()
                    switch outcome {
                    case .ack:
                        delivery.ack()
                    case .deadLetter:
                        logger.warning(
                            "dead-lettering a message",
                            metadata: [
                                "queue": "\(queue)", "message_id": "\(delivery.properties.messageID ?? "-")",
                                "type": "\(delivery.properties.type ?? "-")",
                            ])
                        delivery.reject(requeue: false)
                    case .retry:
                        delivery.reject(requeue: true)
                    }
                }
            }
            await consumer.cancel()
        }
    }

    /// One run of the handler, in the message's trace (a span of its own when spans are
    /// recorded); one that has not finished after `handlerDeadline` (stuck on a connection that
    /// went away) is cancelled and retried.
    private func attempt(_ delivery: Delivery) async -> Outcome {
        let (handler, queue, spanKind) = (handler, queue, spanKind)
        let run: @Sendable () async -> Outcome = {
            await TraceSpans.withIncomingSpan(
                Self.spanName(delivery, kind: spanKind), ofKind: spanKind, received: TraceContext.from(delivery.properties.headers)
            ) { span in
                span?.describeMessage(destination: queue, messageID: delivery.properties.messageID)
                return await handler(delivery)
            }
        }
        do {
            return try await withDeadline(handlerDeadline, run)
        } catch {
            logger.warning("message handler gave up", metadata: ["queue": "\(queue)", "error": "\(error)"])
            return .retry
        }
    }

    /// An RPC request's span is named after its operation, a message's after what is done with it
    /// (the OpenTelemetry messaging convention).
    private static func spanName(_ delivery: Delivery, kind: SpanKind) -> String {
        let type = delivery.properties.type ?? "-"
        return kind == .server ? type : "process \(type)"
    }

    /// Registers the consumer, retrying while the broker refuses it; nil once shutting down.
    private func subscribe() async -> (AsyncStream<Delivery>, Consumer)? {
        var attempt = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                return try await connection.deliveries(from: queue, prefetch: prefetch)
            } catch {
                logger.warning("cannot consume \(queue), retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: retryBackoff.delay(attempt: attempt))
                attempt += 1
            }
        }
        return nil
    }
}
