import CRabbitMQ
import Foundation
import Logging
import Metrics

/// The I/O of one connection's thread: it makes the rabbitmq-c calls and does what the
/// connection's ``ConnectionStateMachine`` answers. Everything here runs on that thread only.
final class ConnectionWorker {
    typealias Completion = (Result<Void, any Error>) -> Void

    private let connection: AMQPConnection
    private var logger: Logger { connection.logger }
    private let reconnects: Counter
    private var machine: ConnectionStateMachine<Completion>
    /// The broker connection; set exactly while the machine's link is up.
    private var state: amqp_connection_state_t?
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []

    /// The broker connection, where the machine says the link is up.
    private var connected: amqp_connection_state_t {
        guard let state else { preconditionFailure("the link is up without a broker connection") }
        return state
    }

    init(connection: AMQPConnection) {
        self.connection = connection
        self.reconnects = Counter(label: "amqp_reconnects_total", dimensions: [("connection", connection.name)])
        let brokers = connection.configuration.brokers.count
        self.machine = ConnectionStateMachine(
            brokerCount: brokers, firstBroker: Int.random(in: 0..<brokers), backoff: connection.configuration.reconnectBackoff,
            now: .now)
    }

    func run() {
        while true {
            for command in connection.mailbox.take() { command(self) }
            switch machine.nextStep(now: .now) {
            case .read:
                let state = connected
                var mayRead = true
                if amqp_frames_enqueued(state) == 0, amqp_data_in_buffer(state) == 0 {
                    mayRead = wait(socket: amqp_get_sockfd(state), until: .now + .seconds(1))
                }
                if mayRead { readFrames() }
            case .connect(let brokers):
                connect(trying: brokers)
            case .sleep(let until):
                wait(socket: nil, until: until)
            case .finishClose:
                finishClose()
            case .stop:
                for command in connection.mailbox.close() { command(self) }
                return
            }
        }
    }

    // MARK: Commands

    func publish(
        _ message: OutgoingMessage, exchange: String, routingKey: String, mandatory: Bool, confirm: Bool,
        complete: @escaping Completion
    ) {
        if let refusal = machine.publishRefusal {
            complete(.failure(refusal))
            return
        }
        let state = connected
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
        if confirm {
            machine.awaitConfirm(messageID: message.properties.messageID, complete)
        } else {
            complete(.success(()))
        }
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
        switch machine.addConsumer(registration) {
        case .refused:
            continuation.resume(throwing: AMQPError.closed)
        case .onConnect:
            continuation.resume()
        case .now:
            do {
                try AMQPSession(state: connected).consume(registration)
                continuation.resume()
            } catch {
                _ = machine.removeConsumer(tag: registration.tag)
                continuation.resume(throwing: error)
                tearDown("\(error)")
            }
        }
    }

    func cancel(consumerTag: String, continuation: CheckedContinuation<Void, any Error>) {
        guard let registration = machine.removeConsumer(tag: consumerTag) else {
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
        guard machine.isCurrent(tag), let state else { return }
        let status =
            switch settlement {
            case .ack: amqp_basic_ack(state, AMQPSession.channel, tag.value, 0)
            case .requeue: amqp_basic_reject(state, AMQPSession.channel, tag.value, 1)
            case .deadLetter: amqp_basic_reject(state, AMQPSession.channel, tag.value, 0)
            }
        if status != AMQP_STATUS_OK.rawValue { tearDown("settle failed: \(describe(status: status))") }
    }

    func withSession<Result>(_ body: (AMQPSession) throws -> Result) throws -> Result {
        guard let state else { throw machine.publishRefusal ?? AMQPError.notConnected }
        do {
            return try body(AMQPSession(state: state))
        } catch let error as AMQPError {
            // A failed synchronous call leaves the channel closed by the broker: start afresh.
            tearDown("\(error)")
            throw error
        }
    }

    func beginClose(_ continuation: CheckedContinuation<Void, Never>) {
        guard machine.closeRequested(deadline: .now + .seconds(5)) else {
            continuation.resume()
            return
        }
        closeWaiters.append(continuation)
    }

    // MARK: Connection lifecycle

    private func connect(trying brokers: [Int]) {
        let nodes = connection.configuration.brokers
        var failures: [String] = []
        for index in brokers {
            do {
                state = try openConnection(to: nodes[index])
                machine.connected(to: index)
                connection.setConnected(true)
                logger.info("connected to RabbitMQ", metadata: ["host": "\(nodes[index])"])
                return
            } catch {
                failures.append("\(nodes[index]): \(error)")
            }
        }
        let (delay, report) = machine.connectFailed(now: .now)
        if report {
            logger.warning(
                "cannot connect to RabbitMQ, retrying", metadata: ["error": "\(failures.joined(separator: "; "))", "retry_in": "\(delay)"])
        }
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
        for registration in machine.consumers.values { try session.consume(registration) }
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
        for complete in machine.connectionLost(now: .now) { complete(.failure(AMQPError.connectionLost(reason))) }
        connection.onConnectionLost?(reason)
        reconnects.increment()
        logger.warning("RabbitMQ connection lost, reconnecting", metadata: ["reason": "\(reason)"])
    }

    private func finishClose() {
        if let state {
            _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
            amqp_destroy_connection(state)
            self.state = nil
        }
        connection.setConnected(false)
        let (unconfirmed, consumers) = machine.closeFinished(now: .now)
        for complete in unconfirmed { complete(.failure(AMQPError.closed)) }
        for registration in consumers { registration.finish() }
        for waiter in closeWaiters { waiter.resume() }
        closeWaiters.removeAll()
        logger.debug("AMQP connection closed")
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
            perform(machine.receive(frame))
            if let state = self.state { amqp_maybe_release_buffers(state) }
        }
    }

    private func perform(_ action: ConnectionStateMachine<Completion>.Action) {
        switch action {
        case .none:
            break
        case .deliver(var delivery, let registration):
            if !registration.noAck { delivery.settler = connection }
            registration.deliver(delivery)
        case .requeue(let channel, let deliveryTag):
            if let state { _ = amqp_basic_reject(state, channel, deliveryTag, 1) }
        case .returned(let returned):
            connection.onReturn?(returned)
        case .settle(let outcomes):
            for (complete, outcome) in outcomes { complete(outcome.mapError { $0 }) }
        case .tearDown(let reason):
            tearDown(reason)
        case .reportBlocked(true):
            logger.warning("the broker is blocking publishers (resource alarm)")
        case .reportBlocked(false):
            logger.info("the broker unblocked publishers")
        }
    }
}

extension ConnectionStateMachine {
    /// Tells the machine about a frame read by rabbitmq-c, decoded into Swift values.
    mutating func receive(_ frame: amqp_frame_t) -> Action {
        let channel = frame.channel
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            guard let method = Method(frame.payload.method) else { return .none }
            return received(method, on: channel)
        case AMQP_FRAME_HEADER:
            let decoded = frame.payload.properties.decoded.assumingMemoryBound(to: amqp_basic_properties_t.self)
            return receivedHeader(
                on: channel, properties: MessageProperties(decoding: decoded.pointee), bodySize: Int(frame.payload.properties.body_size))
        case AMQP_FRAME_BODY:
            let fragment = frame.payload.body_fragment
            return receivedBody(on: channel, UnsafeRawBufferPointer(start: fragment.bytes, count: fragment.len))
        default:
            return .none
        }
    }
}

extension ConnectionStateMachine.Method {
    /// The methods the connection acts on; nil for the others (the replies of synchronous calls
    /// are read by rabbitmq-c itself).
    init?(_ method: amqp_method_t) {
        func decoded<T>(_ type: T.Type) -> T { method.decoded.assumingMemoryBound(to: T.self).pointee }
        switch method.id {
        case LENDING_AMQP_BASIC_DELIVER:
            let deliver = decoded(amqp_basic_deliver_t.self)
            self = .deliver(
                consumerTag: deliver.consumer_tag.string, deliveryTag: deliver.delivery_tag, redelivered: deliver.redelivered != 0,
                exchange: deliver.exchange.string, routingKey: deliver.routing_key.string)
        case LENDING_AMQP_BASIC_RETURN:
            let returned = decoded(amqp_basic_return_t.self)
            self = .returned(
                replyCode: Int(returned.reply_code), replyText: returned.reply_text.string, exchange: returned.exchange.string,
                routingKey: returned.routing_key.string)
        case LENDING_AMQP_BASIC_ACK:
            let ack = decoded(amqp_basic_ack_t.self)
            self = .ack(deliveryTag: ack.delivery_tag, multiple: ack.multiple != 0)
        case LENDING_AMQP_BASIC_NACK:
            let nack = decoded(amqp_basic_nack_t.self)
            self = .nack(deliveryTag: nack.delivery_tag, multiple: nack.multiple != 0)
        case LENDING_AMQP_BASIC_CANCEL:
            self = .consumerCancelled
        case LENDING_AMQP_CHANNEL_CLOSE:
            let close = decoded(amqp_channel_close_t.self)
            self = .channelClose(replyCode: Int(close.reply_code), replyText: close.reply_text.string)
        case LENDING_AMQP_CONNECTION_CLOSE:
            let close = decoded(amqp_connection_close_t.self)
            self = .connectionClose(replyCode: Int(close.reply_code), replyText: close.reply_text.string)
        case LENDING_AMQP_CONNECTION_BLOCKED:
            self = .blocked(true)
        case LENDING_AMQP_CONNECTION_UNBLOCKED:
            self = .blocked(false)
        default:
            return nil
        }
    }
}
