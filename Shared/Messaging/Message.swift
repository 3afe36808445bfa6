import Foundation

/// The AMQP basic properties the platform uses. Header values are strings on the way out; on the
/// way in, integer headers (such as RabbitMQ's `x-delivery-count`) are read as their decimal text
/// and structured ones (such as `x-death`) are left out.
public struct MessageProperties: Sendable, Equatable {
    public var messageID: String?
    public var type: String?
    public var timestamp: Date?
    public var appID: String?
    public var correlationID: String?
    public var replyTo: String?
    /// Milliseconds, as AMQP carries it: a message not consumed in time is dropped by the broker.
    public var expiration: String?
    public var contentType: String?
    public var persistent: Bool
    public var headers: [String: String]

    public init(
        messageID: String? = nil, type: String? = nil, timestamp: Date? = nil, appID: String? = nil,
        correlationID: String? = nil, replyTo: String? = nil, expiration: String? = nil,
        contentType: String? = "application/json", persistent: Bool = true, headers: [String: String] = [:]
    ) {
        self.messageID = messageID
        self.type = type
        self.timestamp = timestamp
        self.appID = appID
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.contentType = contentType
        self.persistent = persistent
        self.headers = headers
    }
}

public struct OutgoingMessage: Sendable {
    public var body: [UInt8]
    public var properties: MessageProperties

    public init(body: [UInt8], properties: MessageProperties) {
        self.body = body
        self.properties = properties
    }
}

/// A message and where to publish it.
public struct Publication: Sendable {
    public var message: OutgoingMessage
    public var exchange: String
    public var routingKey: String
    public var mandatory: Bool

    public init(message: OutgoingMessage, exchange: String, routingKey: String, mandatory: Bool = false) {
        self.message = message
        self.exchange = exchange
        self.routingKey = routingKey
        self.mandatory = mandatory
    }
}

/// A message handed to a consumer. Settle it exactly once with `ack()` or `reject(requeue:)`;
/// a delivery that arrived on a connection that has since been replaced is settled by the broker
/// (it redelivers it), so settling it here is a no-op.
public struct Delivery: Sendable {
    public let body: [UInt8]
    public let properties: MessageProperties
    public let exchange: String
    public let routingKey: String
    public let redelivered: Bool
    let tag: DeliveryTag
    /// Set by the connection's thread as it hands the delivery over; nil for a `noAck` consumer.
    var settler: AMQPConnection?

    /// How many times the broker delivered this message before (quorum queues count it).
    public var previousDeliveries: Int {
        properties.headers["x-delivery-count"].flatMap(Int.init) ?? (redelivered ? 1 : 0)
    }

    public func ack() {
        settler?.settle(tag, .ack)
    }

    /// Gives the message back to the broker.
    ///
    /// - Parameter requeue: true puts it back in its queue for another delivery (on a quorum
    ///   queue, one more towards its delivery limit); false dead-letters it (or drops it, when the
    ///   queue has no dead-letter exchange).
    public func reject(requeue: Bool) {
        settler?.settle(tag, requeue ? .requeue : .deadLetter)
    }
}

/// A delivery tag is only meaningful on the connection (and channel) that produced it.
struct DeliveryTag: Sendable, Hashable {
    let generation: UInt64
    let value: UInt64
}

enum Settlement: Sendable {
    case ack, requeue, deadLetter
}

/// A mandatory message the broker could not route to any queue.
public struct ReturnedMessage: Sendable {
    public let replyCode: Int
    public let replyText: String
    public let exchange: String
    public let routingKey: String
    public let properties: MessageProperties
}
