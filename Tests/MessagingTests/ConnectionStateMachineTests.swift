import Testing

@testable import Messaging

/// The AMQP logic of a connection, frame by frame, without a broker: what a client of the
/// connection would see from the same frames on the wire.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine<String>

    let start = ContinuousClock.now
    let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))

    func connectedMachine(brokers: Int = 1) -> Machine {
        var machine = Machine(brokerCount: brokers, firstBroker: 0, backoff: backoff, now: start)
        machine.connected(to: 0)
        return machine
    }

    // MARK: Deliveries

    @Test func aDeliveryIsAssembledFromItsMethodHeaderAndBodyFramesAndHandedToItsConsumer() throws {
        var machine = connectedMachine()
        #expect(machine.addConsumer(.named("orders-1")) == .now)
        #expect(machine.received(.deliver("orders-1", tag: 7), on: 1).isNone)
        var properties = MessageProperties(messageID: "m-1")
        properties.headers["x-delivery-count"] = "2"
        #expect(machine.receivedHeader(on: 1, properties: properties, bodySize: 11).isNone)
        #expect(machine.receivedBody(on: 1, "hello ").isNone, "six of eleven bytes is not a message yet")
        let (delivery, consumer) = try #require(machine.receivedBody(on: 1, "world").delivered)
        #expect(consumer == "orders-1")
        #expect(String(decoding: delivery.body, as: UTF8.self) == "hello world")
        #expect(delivery.properties.messageID == "m-1")
        #expect(delivery.previousDeliveries == 2)
        #expect(delivery.routingKey == "key" && delivery.exchange == "exchange")
        #expect(delivery.tag == DeliveryTag(generation: 1, value: 7))
        #expect(machine.isCurrent(delivery.tag))
    }

    @Test func anEmptyBodyIsCompleteWithItsHeader() throws {
        var machine = connectedMachine()
        _ = machine.addConsumer(.named("c"))
        _ = machine.received(.deliver("c", tag: 1), on: 1)
        let (delivery, _) = try #require(machine.receivedHeader(on: 1, properties: MessageProperties(), bodySize: 0).delivered)
        #expect(delivery.body.isEmpty)
    }

    @Test func framesOfTwoChannelsInterleavedMakeTwoMessages() throws {
        var machine = connectedMachine()
        _ = machine.addConsumer(.named("c"))
        _ = machine.received(.deliver("c", tag: 1), on: 1)
        _ = machine.received(.returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "x", routingKey: "nowhere"), on: 2)
        _ = machine.receivedHeader(on: 1, properties: MessageProperties(), bodySize: 3)
        _ = machine.receivedHeader(on: 2, properties: MessageProperties(messageID: "r"), bodySize: 2)
        let returned = try #require(machine.receivedBody(on: 2, "ab").returned)
        #expect(returned.replyCode == 312 && returned.routingKey == "nowhere" && returned.properties.messageID == "r")
        let (delivery, _) = try #require(machine.receivedBody(on: 1, "abc").delivered)
        #expect(delivery.body == Array("abc".utf8))
    }

    @Test func headerAndBodyFramesWithoutAMethodAreIgnored() {
        var machine = connectedMachine()
        #expect(machine.receivedHeader(on: 1, properties: MessageProperties(), bodySize: 1).isNone)
        #expect(machine.receivedBody(on: 1, "a").isNone)
    }

    @Test func aDeliveryForAConsumerCancelledMeanwhileGoesBackToItsQueue() {
        var machine = connectedMachine()
        _ = machine.addConsumer(.named("gone"))
        _ = machine.received(.deliver("gone", tag: 9), on: 1)
        #expect(machine.removeConsumer(tag: "gone")?.tag == "gone")
        _ = machine.receivedHeader(on: 1, properties: MessageProperties(), bodySize: 1)
        guard case .requeue(let channel, let tag) = machine.receivedBody(on: 1, "x") else {
            Issue.record("the orphan delivery is requeued")
            return
        }
        #expect(channel == 1 && tag == 9)
    }

    // MARK: Publisher confirms

    @Test func confirmsAreNumberedPerConnectionAndSettledByAckAndNack() {
        var machine = connectedMachine()
        for name in ["first", "second", "third", "fourth"] { machine.awaitConfirm(messageID: name, name) }
        #expect(machine.received(.ack(deliveryTag: 2, multiple: true), on: 2).outcomes == ["first: ok", "second: ok"])
        #expect(machine.received(.nack(deliveryTag: 4, multiple: false), on: 2).outcomes == ["fourth: nacked fourth"])
        #expect(machine.received(.ack(deliveryTag: 4, multiple: false), on: 2).outcomes == [], "a confirm settles once")
        #expect(machine.received(.ack(deliveryTag: 3, multiple: false), on: 2).outcomes == ["third: ok"])
    }

    @Test func aReturnedMandatoryMessageFailsItsConfirmAsUnroutable() throws {
        var machine = connectedMachine()
        machine.awaitConfirm(messageID: "routed", "routed")
        machine.awaitConfirm(messageID: "lost", "lost")
        _ = machine.received(.returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "events", routingKey: "nobody"), on: 2)
        _ = machine.receivedHeader(on: 2, properties: MessageProperties(messageID: "lost"), bodySize: 0)
        #expect(machine.received(.ack(deliveryTag: 2, multiple: true), on: 2).outcomes == ["routed: ok", "lost: unroutable events nobody"])
    }

    // MARK: Losing the broker

    @Test func aLostConnectionFailsPendingConfirmsDropsHalfMessagesAndVoidsOldDeliveryTags() throws {
        var machine = connectedMachine(brokers: 3)
        _ = machine.addConsumer(.named("c"))
        machine.awaitConfirm(messageID: "a", "a")
        machine.awaitConfirm(messageID: "b", "b")
        _ = machine.received(.deliver("c", tag: 1), on: 1)
        _ = machine.receivedHeader(on: 1, properties: MessageProperties(), bodySize: 4)
        let oldTag = DeliveryTag(generation: machine.generation, value: 1)

        #expect(machine.connectionLost(now: start) == ["a", "b"])
        #expect(machine.publishRefusal == .notConnected)
        #expect(!machine.isCurrent(oldTag))
        #expect(machine.connectionLost(now: start).isEmpty, "a second report of the same loss changes nothing")

        guard case .sleep(let retryAt) = machine.nextStep(now: start) else {
            Issue.record("the next attempt waits out a short backoff")
            return
        }
        #expect(retryAt > start && retryAt <= start + .milliseconds(100))
        #expect(machine.nextStep(now: retryAt) == .connect(brokers: [1, 2, 0]), "the lost node is tried last")
        machine.connected(to: 1)
        #expect(machine.receivedBody(on: 1, "rest").isNone, "the half message died with its connection")
        #expect(machine.generation == oldTag.generation + 1)
        #expect(!machine.isCurrent(oldTag))
        machine.awaitConfirm(messageID: "c", "c")
        #expect(machine.received(.ack(deliveryTag: 1, multiple: false), on: 2).outcomes == ["c: ok"], "numbering starts again at 1")
    }

    @Test func theBrokerClosingAChannelOrCancellingAConsumerTearsTheConnectionDown() {
        var machine = connectedMachine()
        #expect(
            machine.received(.channelClose(replyCode: 406, replyText: "PRECONDITION_FAILED"), on: 1).tearDownReason?.contains("406") == true
        )
        #expect(
            machine.received(.connectionClose(replyCode: 320, replyText: "CONNECTION_FORCED"), on: 0).tearDownReason?.contains("320")
                == true)
        #expect(machine.received(.consumerCancelled, on: 1).tearDownReason != nil)
    }

    @Test func connectAttemptsBackOffAndAreReportedOnTheFirstAndEveryTenthRound() throws {
        var machine = Machine(brokerCount: 2, firstBroker: 1, backoff: backoff, now: start)
        #expect(machine.nextStep(now: start) == .connect(brokers: [1, 0]))
        var now = start
        var reported: [Int] = []
        var delays: [Duration] = []
        for round in 0..<12 {
            let (delay, report) = machine.connectFailed(now: now)
            if report { reported.append(round) }
            delays.append(delay)
            #expect(machine.nextStep(now: now) == .sleep(until: now + delay))
            now += delay
            #expect(machine.nextStep(now: now) == .connect(brokers: [1, 0]))
        }
        #expect(reported == [0, 10])
        #expect(try #require(delays.first) <= .milliseconds(100))
        let last = try #require(delays.last)
        #expect(last >= .milliseconds(2500) && last <= .seconds(5), "capped at the maximum")
    }

    // MARK: Consumers and closing

    @Test func aConsumerAddedWhileDownStartsOnConnect() {
        var machine = Machine(brokerCount: 1, firstBroker: 0, backoff: backoff, now: start)
        #expect(machine.addConsumer(.named("later")) == .onConnect)
        #expect(machine.consumers.keys.sorted() == ["later"])
    }

    @Test func closingWaitsForConfirmsUntilItsDeadlineThenFailsTheRestAndFinishesConsumers() {
        var machine = connectedMachine()
        _ = machine.addConsumer(.named("c"))
        machine.awaitConfirm(messageID: "a", "a")
        machine.awaitConfirm(messageID: "b", "b")
        let closing = machine.closeRequested(deadline: start + .seconds(5))
        #expect(closing)
        #expect(machine.publishRefusal == .closed)
        #expect(machine.addConsumer(.named("new")) == .refused)
        #expect(machine.nextStep(now: start) == .read, "confirms are still due")
        _ = machine.received(.ack(deliveryTag: 1, multiple: false), on: 2)
        #expect(machine.nextStep(now: start) == .read)
        #expect(machine.nextStep(now: start + .seconds(5)) == .finishClose, "the deadline has passed")
        let (unconfirmed, consumers) = machine.closeFinished(now: start + .seconds(5))
        #expect(unconfirmed == ["b"])
        #expect(consumers.map(\.tag) == ["c"])
        #expect(machine.nextStep(now: start + .seconds(5)) == .stop)
        let closingAgain = machine.closeRequested(deadline: start + .seconds(10))
        #expect(!closingAgain, "closing a closed connection answers at once")
    }

    @Test func closingWhileDownFinishesAtOnce() {
        var machine = Machine(brokerCount: 1, firstBroker: 0, backoff: backoff, now: start)
        let closing = machine.closeRequested(deadline: start + .seconds(5))
        #expect(closing)
        #expect(machine.nextStep(now: start) == .finishClose)
    }
}

extension ConsumerRegistration {
    static func named(_ tag: String) -> ConsumerRegistration {
        ConsumerRegistration(tag: tag, queue: "queue", prefetch: 10, noAck: false, deliver: { _ in }, finish: {})
    }
}

extension ConnectionStateMachine.Method {
    static func deliver(_ consumerTag: String, tag: UInt64) -> Self {
        .deliver(consumerTag: consumerTag, deliveryTag: tag, redelivered: false, exchange: "exchange", routingKey: "key")
    }
}

extension ConnectionStateMachine {
    mutating func receivedBody(on channel: UInt16, _ text: String) -> Action {
        Array(text.utf8).withUnsafeBytes { receivedBody(on: channel, $0) }
    }
}

extension ConnectionStateMachine.Action {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    var delivered: (Delivery, consumer: String)? {
        if case .deliver(let delivery, let registration) = self { return (delivery, registration.tag) }
        return nil
    }

    var returned: ReturnedMessage? {
        if case .returned(let returned) = self { return returned }
        return nil
    }

    var tearDownReason: String? {
        if case .tearDown(let reason) = self { return reason }
        return nil
    }

    /// Each settled publish as `name: outcome`, in the order of their numbers.
    var outcomes: [String] {
        guard case .settle(let settled) = self else { return [] }
        return settled.map { confirm, result in
            switch result {
            case .success: "\(confirm): ok"
            case .failure(.nacked(let id)): "\(confirm): nacked \(id ?? "-")"
            case .failure(.unroutable(let exchange, let key)): "\(confirm): unroutable \(exchange) \(key)"
            case .failure(let error): "\(confirm): \(error)"
            }
        }
    }
}
