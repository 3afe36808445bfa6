/// The AMQP logic of one connection, apart from rabbitmq-c: whether it is up, when to reconnect
/// and to which node, the numbering and settling of publisher confirms, the assembly of messages
/// from their frames, and the consumers to resume. Like postgres-nio's `ConnectionStateMachine`,
/// it is a value that is told what happened (a frame, a command, a broken socket) and answers
/// what to do; it does no I/O, reads no clock and calls no callback. `ConnectionWorker` makes the
/// C calls and does what it answers, and `ConnectionStateMachineTests` drive it frame by frame.
///
/// `Confirm` is what a publish awaiting its confirm carries: the caller's completion in the
/// worker, a name in the tests.
struct ConnectionStateMachine<Confirm> {
    /// The broker connection: up, or down until its next attempt.
    enum Link: Equatable {
        case up
        case down(retryAt: ContinuousClock.Instant, attempt: Int)
    }

    /// What the connection's thread does next.
    enum Step: Equatable {
        /// Wait for frames (or commands), then read what came.
        case read
        /// Try the nodes, in this order, each once.
        case connect(brokers: [Int])
        /// Wait for commands until the next attempt.
        case sleep(until: ContinuousClock.Instant)
        /// Close: nothing is left to wait for, or the close's deadline has passed.
        case finishClose
        /// Closed: the thread ends.
        case stop
    }

    /// A method frame from the broker, decoded from rabbitmq-c's structures.
    enum Method: Equatable {
        case deliver(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
        case returned(replyCode: Int, replyText: String, exchange: String, routingKey: String)
        case ack(deliveryTag: UInt64, multiple: Bool)
        case nack(deliveryTag: UInt64, multiple: Bool)
        /// The broker cancelled a consumer, e.g. because its queue was deleted.
        case consumerCancelled
        case channelClose(replyCode: Int, replyText: String)
        case connectionClose(replyCode: Int, replyText: String)
        /// A resource alarm: the broker stops reading from publishers (`true`) or resumes (`false`).
        case blocked(Bool)
    }

    /// What to do about a frame.
    enum Action {
        case none
        /// Hand a whole message to its consumer (the worker sets the delivery's settler).
        case deliver(Delivery, to: ConsumerRegistration)
        /// A delivery for a consumer cancelled meanwhile: give it back to its queue.
        case requeue(channel: UInt16, deliveryTag: UInt64)
        /// A mandatory message the broker could not route.
        case returned(ReturnedMessage)
        /// Complete these publishes with their outcome.
        case settle([(Confirm, Result<Void, AMQPError>)])
        /// The connection is unusable: drop it (see ``connectionLost(now:)``) and reconnect.
        case tearDown(reason: String)
        case reportBlocked(Bool)
    }

    /// Whether a consumer starts now, on the next connect, or not at all.
    enum ConsumerStart: Equatable {
        case now, onConnect, refused
    }

    private struct PendingConfirm {
        let messageID: String?
        let confirm: Confirm
        var returned: ReturnedMessage?
    }

    /// A message being assembled from its method, header and body frames.
    private struct PartialMessage {
        enum Kind {
            case delivery(consumerTag: String, deliveryTag: UInt64, redelivered: Bool)
            case returned(replyCode: Int, replyText: String)
        }
        let kind: Kind
        let exchange: String
        let routingKey: String
        var properties = MessageProperties()
        var bodySize = -1
        var body: [UInt8] = []

        var isComplete: Bool { bodySize >= 0 && body.count >= bodySize }
    }

    private(set) var link: Link
    /// Bumped on every new broker connection; delivery tags of older ones are void.
    private(set) var generation: UInt64 = 0
    /// The consumers to start on every connect, by tag.
    private(set) var consumers: [String: ConsumerRegistration] = [:]
    private let brokerCount: Int
    private let backoff: Backoff
    /// The node connected to, or to try first: the caller picks a random one at first, so
    /// replicas spread.
    private var brokerIndex: Int
    private var confirms: [UInt64: PendingConfirm] = [:]
    private var lastPublishTag: UInt64 = 0
    private var partials: [UInt16: PartialMessage] = [:]
    private var closeDeadline: ContinuousClock.Instant?
    private var closed = false

    init(brokerCount: Int, firstBroker: Int, backoff: Backoff, now: ContinuousClock.Instant) {
        precondition(brokerCount > 0 && (0..<brokerCount).contains(firstBroker))
        self.brokerCount = brokerCount
        self.brokerIndex = firstBroker
        self.backoff = backoff
        self.link = .down(retryAt: now, attempt: 0)
    }

    func nextStep(now: ContinuousClock.Instant) -> Step {
        if closed { return .stop }
        if let closeDeadline, link != .up || confirms.isEmpty || closeDeadline <= now { return .finishClose }
        switch link {
        case .up:
            return .read
        case .down(let retryAt, _):
            guard now >= retryAt else { return .sleep(until: retryAt) }
            return .connect(brokers: (0..<brokerCount).map { (brokerIndex + $0) % brokerCount })
        }
    }

    // MARK: Connection lifecycle

    mutating func connected(to broker: Int) {
        link = .up
        brokerIndex = broker
        generation += 1
        lastPublishTag = 0
    }

    /// Every node refused: wait out the backoff, longer after each round.
    ///
    /// - Returns: the wait, and whether to report it (the first round, then every tenth).
    mutating func connectFailed(now: ContinuousClock.Instant) -> (retryIn: Duration, report: Bool) {
        guard case .down(_, let attempt) = link else { preconditionFailure("connect failed while connected") }
        let delay = backoff.delay(attempt: attempt)
        link = .down(retryAt: now + delay, attempt: attempt + 1)
        return (delay, attempt % 10 == 0)
    }

    /// The broker connection broke: messages half received are dropped (the broker redelivers
    /// them), and the next attempt starts soon, at another node, since the lost one is likely down.
    ///
    /// - Returns: the publishes that awaited a confirm, to fail (their callers publish again).
    mutating func connectionLost(now: ContinuousClock.Instant) -> [Confirm] {
        guard link == .up else { return [] }
        partials.removeAll()
        brokerIndex = (brokerIndex + 1) % brokerCount
        link = .down(retryAt: now + backoff.delay(attempt: 0), attempt: 1)
        return takeConfirms()
    }

    /// Starts closing: the close waits until every confirm is in, or `deadline`.
    ///
    /// - Returns: false when the connection is closed already.
    mutating func closeRequested(deadline: ContinuousClock.Instant) -> Bool {
        guard !closed else { return false }
        closeDeadline = min(closeDeadline ?? deadline, deadline)
        return true
    }

    /// The connection is closed for good.
    ///
    /// - Returns: the publishes still awaiting a confirm, to fail, and the consumers, to finish.
    mutating func closeFinished(now: ContinuousClock.Instant) -> (confirms: [Confirm], consumers: [ConsumerRegistration]) {
        closed = true
        closeDeadline = nil
        link = .down(retryAt: now, attempt: 0)
        partials.removeAll()
        defer { consumers.removeAll() }
        return (takeConfirms(), Array(consumers.values))
    }

    // MARK: Commands

    /// Why a publish cannot go out now; nil when it can.
    var publishRefusal: AMQPError? {
        if closed || closeDeadline != nil { return .closed }
        return link == .up ? nil : .notConnected
    }

    /// A publish has gone out on the confirm channel: it awaits the confirm of the next number.
    mutating func awaitConfirm(messageID: String?, _ confirm: Confirm) {
        lastPublishTag += 1
        confirms[lastPublishTag] = PendingConfirm(messageID: messageID, confirm: confirm)
    }

    mutating func addConsumer(_ registration: ConsumerRegistration) -> ConsumerStart {
        guard !closed, closeDeadline == nil else { return .refused }
        consumers[registration.tag] = registration
        return link == .up ? .now : .onConnect
    }

    mutating func removeConsumer(tag: String) -> ConsumerRegistration? {
        consumers.removeValue(forKey: tag)
    }

    /// Whether a delivery can still be settled: it came on the broker connection that is up now.
    func isCurrent(_ tag: DeliveryTag) -> Bool {
        link == .up && tag.generation == generation
    }

    // MARK: Frames

    mutating func received(_ method: Method, on channel: UInt16) -> Action {
        switch method {
        case .deliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            partials[channel] = PartialMessage(
                kind: .delivery(consumerTag: consumerTag, deliveryTag: deliveryTag, redelivered: redelivered),
                exchange: exchange, routingKey: routingKey)
            return .none
        case .returned(let replyCode, let replyText, let exchange, let routingKey):
            partials[channel] = PartialMessage(
                kind: .returned(replyCode: replyCode, replyText: replyText), exchange: exchange, routingKey: routingKey)
            return .none
        case .ack(let tag, let multiple):
            return .settle(settleConfirms(upTo: tag, multiple: multiple, refused: false))
        case .nack(let tag, let multiple):
            return .settle(settleConfirms(upTo: tag, multiple: multiple, refused: true))
        case .consumerCancelled:
            return .tearDown(reason: "the broker cancelled a consumer (its queue was deleted?)")
        case .channelClose(let code, let text):
            return .tearDown(reason: "channel \(channel) closed by the broker: \(code) \(text)")
        case .connectionClose(let code, let text):
            return .tearDown(reason: "connection closed by the broker: \(code) \(text)")
        case .blocked(let blocked):
            return .reportBlocked(blocked)
        }
    }

    /// A content header: the message's properties and its size. Ignored without a method first.
    mutating func receivedHeader(on channel: UInt16, properties: MessageProperties, bodySize: Int) -> Action {
        guard var partial = partials[channel] else { return .none }
        partial.properties = properties
        partial.bodySize = bodySize
        partial.body.reserveCapacity(bodySize)
        return store(partial, on: channel)
    }

    /// A body fragment, read in place: rabbitmq-c reuses the buffer after the call.
    mutating func receivedBody(on channel: UInt16, _ fragment: UnsafeRawBufferPointer) -> Action {
        guard var partial = partials[channel] else { return .none }
        partial.body.append(contentsOf: fragment)
        return store(partial, on: channel)
    }

    private mutating func store(_ partial: PartialMessage, on channel: UInt16) -> Action {
        guard partial.isComplete else {
            partials[channel] = partial
            return .none
        }
        partials[channel] = nil
        switch partial.kind {
        case .delivery(let consumerTag, let deliveryTag, let redelivered):
            guard let registration = consumers[consumerTag] else {
                return .requeue(channel: channel, deliveryTag: deliveryTag)
            }
            let delivery = Delivery(
                body: partial.body, properties: partial.properties, exchange: partial.exchange, routingKey: partial.routingKey,
                redelivered: redelivered, tag: DeliveryTag(generation: generation, value: deliveryTag), settler: nil)
            return .deliver(delivery, to: registration)
        case .returned(let replyCode, let replyText):
            let returned = ReturnedMessage(
                replyCode: replyCode, replyText: replyText, exchange: partial.exchange, routingKey: partial.routingKey,
                properties: partial.properties)
            // The broker sends basic.return before the confirm of the same message: the confirm
            // then reports it unroutable.
            if channel == AMQPSession.confirmChannel,
                let tag = confirms.first(where: { $0.value.messageID == returned.properties.messageID && $0.value.returned == nil })?.key
            {
                confirms[tag]?.returned = returned
            }
            return .returned(returned)
        }
    }

    private mutating func settleConfirms(upTo tag: UInt64, multiple: Bool, refused: Bool) -> [(Confirm, Result<Void, AMQPError>)] {
        let tags = multiple ? confirms.keys.filter { $0 <= tag }.sorted() : [tag]
        return tags.compactMap { tag in
            guard let pending = confirms.removeValue(forKey: tag) else { return nil }
            if refused { return (pending.confirm, .failure(.nacked(messageID: pending.messageID))) }
            if let returned = pending.returned {
                return (pending.confirm, .failure(.unroutable(exchange: returned.exchange, routingKey: returned.routingKey)))
            }
            return (pending.confirm, .success(()))
        }
    }

    private mutating func takeConfirms() -> [Confirm] {
        defer { confirms.removeAll() }
        return confirms.sorted { $0.key < $1.key }.map(\.value.confirm)
    }
}
