import CRabbitMQ
import Foundation
import Logging
import Metrics

/// The state and the loop of one connection's thread. Everything here runs on that thread only.
final class ConnectionWorker {
    private struct PendingConfirm {
        let messageID: String?
        let complete: (Result<Void, any Error>) -> Void
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

    private struct Closing {
        let continuation: CheckedContinuation<Void, Never>
        let deadline: ContinuousClock.Instant
    }

    private let connection: AMQPConnection
    private var logger: Logger { connection.logger }
    private let reconnects: Counter

    private var state: amqp_connection_state_t?
    /// Bumped on every new broker connection; delivery tags of older ones are void.
    private var generation: UInt64 = 0
    private var reconnectAttempt = 0
    /// The node connected to, or to try first: a random one at first, so replicas spread.
    private var brokerIndex: Int
    private var nextConnectAt = ContinuousClock.now
    private var registrations: [String: ConsumerRegistration] = [:]
    private var confirms: [UInt64: PendingConfirm] = [:]
    private var lastPublishTag: UInt64 = 0
    private var partials: [amqp_channel_t: PartialMessage] = [:]
    private var closing: Closing?
    private var closed = false

    init(connection: AMQPConnection) {
        self.connection = connection
        self.reconnects = Counter(label: "amqp_reconnects_total", dimensions: [("connection", connection.name)])
        self.brokerIndex = Int.random(in: 0..<connection.configuration.brokers.count)
    }

    func run() {
        while !closed {
            for command in connection.mailbox.take() { command(self) }
            if let closing, state == nil || confirms.isEmpty || closing.deadline <= .now {
                finishClose(closing)
            } else if let state {
                var mayRead = true
                if amqp_frames_enqueued(state) == 0, amqp_data_in_buffer(state) == 0 {
                    mayRead = wait(socket: amqp_get_sockfd(state), until: .now + .seconds(1))
                }
                if mayRead { readFrames() }
            } else if ContinuousClock.now >= nextConnectAt {
                connect()
            } else {
                wait(socket: nil, until: nextConnectAt)
            }
        }
        for command in connection.mailbox.close() { command(self) }
    }

    // MARK: Commands

    func publish(
        _ message: OutgoingMessage, exchange: String, routingKey: String, mandatory: Bool, confirm: Bool,
        complete: @escaping (Result<Void, any Error>) -> Void
    ) {
        guard let state, closing == nil else {
            complete(.failure(closed || closing != nil ? AMQPError.closed : AMQPError.notConnected))
            return
        }
        let arena = CArena()
        var properties = arena.properties(message.properties)
        let channel = confirm ? AMQPSession.confirmChannel : AMQPSession.channel
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(
                state, channel, arena.bytes(exchange), arena.bytes(routingKey), mandatory ? 1 : 0, 0,
                &properties, amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            let reason = "publish failed: \(describe(status: status))"
            complete(.failure(AMQPError.connectionLost(reason)))
            tearDown(reason)
            return
        }
        guard confirm else {
            complete(.success(()))
            return
        }
        lastPublishTag += 1
        confirms[lastPublishTag] = PendingConfirm(messageID: message.properties.messageID, complete: complete)
    }

    /// Publishes in order without waiting between messages, then reports every confirm at once.
    func publish(
        _ batch: [Publication], confirm: Bool, continuation: CheckedContinuation<[Result<Void, any Error>], Never>
    ) {
        guard !batch.isEmpty else {
            continuation.resume(returning: [])
            return
        }
        var results = [Result<Void, any Error>?](repeating: nil, count: batch.count)
        var remaining = batch.count
        for (index, publication) in batch.enumerated() {
            publish(
                publication.message, exchange: publication.exchange, routingKey: publication.routingKey,
                mandatory: publication.mandatory, confirm: confirm
            ) { result in
                results[index] = result
                remaining -= 1
                if remaining == 0 { continuation.resume(returning: results.map { $0! }) }
            }
        }
    }

    func add(_ registration: ConsumerRegistration, continuation: CheckedContinuation<Void, any Error>) {
        guard !closed, closing == nil else {
            continuation.resume(throwing: AMQPError.closed)
            return
        }
        registrations[registration.tag] = registration
        guard let state else {
            continuation.resume()  // starts on connect
            return
        }
        do {
            try AMQPSession(state: state).consume(
                queue: registration.queue, consumerTag: registration.tag, prefetch: registration.prefetch,
                noAck: registration.noAck)
            continuation.resume()
        } catch {
            registrations[registration.tag] = nil
            continuation.resume(throwing: error)
            tearDown("\(error)")
        }
    }

    func cancel(consumerTag: String, continuation: CheckedContinuation<Void, any Error>) {
        guard let registration = registrations.removeValue(forKey: consumerTag) else {
            continuation.resume()
            return
        }
        if let state {
            do {
                try AMQPSession(state: state).cancel(consumerTag: consumerTag)
            } catch {
                tearDown("\(error)")
            }
        }
        registration.finish()
        continuation.resume()
    }

    func settle(_ tag: DeliveryTag, _ settlement: Settlement) {
        guard let state, tag.generation == generation else { return }
        let status =
            switch settlement {
            case .ack: amqp_basic_ack(state, AMQPSession.channel, tag.value, 0)
            case .requeue: amqp_basic_reject(state, AMQPSession.channel, tag.value, 1)
            case .deadLetter: amqp_basic_reject(state, AMQPSession.channel, tag.value, 0)
            }
        if status != AMQP_STATUS_OK.rawValue { tearDown("settle failed: \(describe(status: status))") }
    }

    func withSession<Result>(_ body: (AMQPSession) throws -> Result) throws -> Result {
        guard let state else { throw closed ? AMQPError.closed : AMQPError.notConnected }
        do {
            return try body(AMQPSession(state: state))
        } catch let error as AMQPError {
            // A failed synchronous call leaves the channel closed by the broker: start afresh.
            tearDown("\(error)")
            throw error
        }
    }

    func beginClose(_ continuation: CheckedContinuation<Void, Never>) {
        guard !closed else {
            continuation.resume()
            return
        }
        closing = Closing(continuation: continuation, deadline: .now + .seconds(5))
    }

    // MARK: Connection lifecycle

    /// Tries every node once, from the one after the node last lost (or a random one at first);
    /// waits out the backoff only when all of them refused.
    private func connect() {
        let brokers = connection.configuration.brokers
        var failures: [String] = []
        for offset in 0..<brokers.count {
            let index = (brokerIndex + offset) % brokers.count
            do {
                let state = try openConnection(to: brokers[index])
                self.state = state
                brokerIndex = index
                generation += 1
                lastPublishTag = 0
                reconnectAttempt = 0
                connection.setConnected(true)
                logger.info("connected to RabbitMQ", metadata: ["host": "\(brokers[index])"])
                return
            } catch {
                failures.append("\(brokers[index]): \(error)")
            }
        }
        let delay = connection.configuration.reconnectBackoff.delay(attempt: reconnectAttempt)
        if reconnectAttempt % 10 == 0 {
            logger.warning(
                "cannot connect to RabbitMQ, retrying", metadata: ["error": "\(failures.joined(separator: "; "))", "retry_in": "\(delay)"])
        }
        reconnectAttempt += 1
        nextConnectAt = .now + delay
    }

    private func openConnection(to broker: AMQPConfiguration.Broker) throws -> amqp_connection_state_t {
        let configuration = connection.configuration
        guard let state = amqp_new_connection() else { throw AMQPError.connectFailed("out of memory") }
        var opened = false
        defer { if !opened { amqp_destroy_connection(state) } }
        guard let socket = amqp_tcp_socket_new(state) else { throw AMQPError.connectFailed("cannot create a socket") }
        var connectTimeout = configuration.connectTimeout.timeval
        let status = amqp_socket_open_noblock(socket, broker.host, Int32(broker.port), &connectTimeout)
        guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError.connectFailed(describe(status: status)) }
        var operationTimeout = configuration.operationTimeout.timeval
        amqp_set_rpc_timeout(state, &operationTimeout)
        let heartbeat = Int32(configuration.heartbeat.components.seconds)
        let login = lending_amqp_login_plain(
            state, broker.virtualHost, 0, 131_072, heartbeat, broker.user, broker.password)
        guard login.reply_type == AMQP_RESPONSE_NORMAL else { throw AMQPError.connectFailed(describe(login)) }
        for channel in [AMQPSession.channel, AMQPSession.confirmChannel] where amqp_channel_open(state, channel) == nil {
            throw AMQPError.connectFailed("open channel \(channel): \(describe(amqp_get_rpc_reply(state)))")
        }
        guard amqp_confirm_select(state, AMQPSession.confirmChannel) != nil else {
            throw AMQPError.connectFailed("confirm mode: \(describe(amqp_get_rpc_reply(state)))")
        }
        let session = AMQPSession(state: state)
        try connection.topology.declare(on: session)
        for registration in registrations.values {
            try session.consume(
                queue: registration.queue, consumerTag: registration.tag, prefetch: registration.prefetch,
                noAck: registration.noAck)
        }
        opened = true
        return state
    }

    /// Drops a broken connection: publishes waiting for a confirm fail (their callers retry),
    /// deliveries handed out become void (the broker redelivers them), and a reconnect is scheduled.
    private func tearDown(_ reason: String) {
        guard let state else { return }
        self.state = nil
        amqp_destroy_connection(state)
        connection.setConnected(false)
        partials.removeAll()
        failConfirms(AMQPError.connectionLost(reason))
        connection.onConnectionLost?(reason)
        reconnects.increment()
        // The lost node is likely down: the next attempt starts at another one.
        brokerIndex += 1
        nextConnectAt = .now + connection.configuration.reconnectBackoff.delay(attempt: 0)
        reconnectAttempt = 1
        logger.warning("RabbitMQ connection lost, reconnecting", metadata: ["reason": "\(reason)"])
    }

    private func finishClose(_ closing: Closing) {
        if let state {
            _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
            amqp_destroy_connection(state)
            self.state = nil
        }
        connection.setConnected(false)
        failConfirms(AMQPError.closed)
        for registration in registrations.values { registration.finish() }
        registrations.removeAll()
        closed = true
        self.closing = nil
        closing.continuation.resume()
        logger.debug("AMQP connection closed")
    }

    private func failConfirms(_ error: AMQPError) {
        let pending = confirms
        confirms.removeAll()
        for confirm in pending.values { confirm.complete(.failure(error)) }
    }

    /// Sleeps until a command is posted, the socket is readable, or `deadline`. Returns whether a
    /// read is due: the socket has data, or nothing came in time (rabbitmq-c sends heartbeats and
    /// notices a silent broker only while reading). A wake for commands alone skips the read and
    /// its two system calls.
    @discardableResult
    private func wait(socket: Int32?, until deadline: ContinuousClock.Instant) -> Bool {
        var descriptors = [pollfd(fd: connection.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if let socket { descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        let timeout = max(0, min(1000, (deadline - .now).milliseconds))
        let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(timeout))
        return ready <= 0 || descriptors.count < 2 || descriptors[1].revents != 0
    }

    // MARK: Frames

    /// Reads what has arrived without blocking. rabbitmq-c also sends heartbeats from here.
    private func readFrames() {
        var zero = timeval(tv_sec: 0, tv_usec: 0)
        for _ in 0..<256 {
            guard let state else { return }
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(state, &frame, &zero)
            if status == AMQP_STATUS_TIMEOUT.rawValue { return }
            guard status == AMQP_STATUS_OK.rawValue else {
                tearDown("read failed: \(describe(status: status))")
                return
            }
            handle(frame)
            if let state = self.state { amqp_maybe_release_buffers(state) }
        }
    }

    private func handle(_ frame: amqp_frame_t) {
        let channel = frame.channel
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            handle(frame.payload.method, on: channel)
        case AMQP_FRAME_HEADER:
            guard var partial = partials[channel] else { return }
            let decoded = frame.payload.properties.decoded.assumingMemoryBound(to: amqp_basic_properties_t.self)
            partial.properties = MessageProperties(decoding: decoded.pointee)
            partial.bodySize = Int(frame.payload.properties.body_size)
            partial.body.reserveCapacity(partial.bodySize)
            store(partial, on: channel)
        case AMQP_FRAME_BODY:
            guard var partial = partials[channel] else { return }
            let fragment = frame.payload.body_fragment
            if fragment.len > 0, let bytes = fragment.bytes {
                partial.body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: fragment.len))
            }
            store(partial, on: channel)
        default:
            break
        }
    }

    private func handle(_ method: amqp_method_t, on channel: amqp_channel_t) {
        switch method.id {
        case LENDING_AMQP_BASIC_DELIVER:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            partials[channel] = PartialMessage(
                kind: .delivery(
                    consumerTag: deliver.consumer_tag.string, deliveryTag: deliver.delivery_tag,
                    redelivered: deliver.redelivered != 0),
                exchange: deliver.exchange.string, routingKey: deliver.routing_key.string)
        case LENDING_AMQP_BASIC_RETURN:
            let returned = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            partials[channel] = PartialMessage(
                kind: .returned(replyCode: Int(returned.reply_code), replyText: returned.reply_text.string),
                exchange: returned.exchange.string, routingKey: returned.routing_key.string)
        case LENDING_AMQP_BASIC_ACK:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            settleConfirms(upTo: ack.delivery_tag, multiple: ack.multiple != 0, refused: false)
        case LENDING_AMQP_BASIC_NACK:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            settleConfirms(upTo: nack.delivery_tag, multiple: nack.multiple != 0, refused: true)
        case LENDING_AMQP_BASIC_CANCEL:
            tearDown("the broker cancelled a consumer (its queue was deleted?)")
        case LENDING_AMQP_CHANNEL_CLOSE:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            tearDown("channel \(channel) closed by the broker: \(close.reply_code) \(close.reply_text.string)")
        case LENDING_AMQP_CONNECTION_CLOSE:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            tearDown("connection closed by the broker: \(close.reply_code) \(close.reply_text.string)")
        case LENDING_AMQP_CONNECTION_BLOCKED:
            logger.warning("the broker is blocking publishers (resource alarm)")
        case LENDING_AMQP_CONNECTION_UNBLOCKED:
            logger.info("the broker unblocked publishers")
        default:
            break
        }
    }

    private func store(_ partial: PartialMessage, on channel: amqp_channel_t) {
        guard partial.isComplete else {
            partials[channel] = partial
            return
        }
        partials[channel] = nil
        switch partial.kind {
        case .delivery(let consumerTag, let deliveryTag, let redelivered):
            guard let registration = registrations[consumerTag] else {
                // Its consumer was just cancelled: give the message back.
                if let state { _ = amqp_basic_reject(state, channel, deliveryTag, 1) }
                return
            }
            registration.deliver(
                Delivery(
                    body: partial.body, properties: partial.properties, exchange: partial.exchange,
                    routingKey: partial.routingKey, redelivered: redelivered,
                    tag: DeliveryTag(generation: generation, value: deliveryTag),
                    settler: registration.noAck ? nil : connection))
        case .returned(let replyCode, let replyText):
            let returned = ReturnedMessage(
                replyCode: replyCode, replyText: replyText, exchange: partial.exchange,
                routingKey: partial.routingKey, properties: partial.properties)
            // The broker sends basic.return before the confirm of the same message.
            if channel == AMQPSession.confirmChannel,
                let tag = confirms.first(where: { $0.value.messageID == returned.properties.messageID && $0.value.returned == nil })?.key
            {
                confirms[tag]?.returned = returned
            }
            connection.onReturn?(returned)
        }
    }

    private func settleConfirms(upTo tag: UInt64, multiple: Bool, refused: Bool) {
        let tags = multiple ? confirms.keys.filter { $0 <= tag } : [tag]
        for tag in tags {
            guard let confirm = confirms.removeValue(forKey: tag) else { continue }
            if refused {
                confirm.complete(.failure(AMQPError.nacked(messageID: confirm.messageID)))
            } else if let returned = confirm.returned {
                confirm.complete(.failure(AMQPError.unroutable(exchange: returned.exchange, routingKey: returned.routingKey)))
            } else {
                confirm.complete(.success(()))
            }
        }
    }
}
