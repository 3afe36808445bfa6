/// Exchanges, queues and bindings a process needs. Every connection declares its topology when it
/// connects and again after every reconnect; declarations are idempotent.
public struct Topology: Sendable {
    public var exchanges: [Exchange] = []
    public var queues: [Queue] = []
    public var bindings: [Binding] = []

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    public static func + (lhs: Topology, rhs: Topology) -> Topology {
        Topology(
            exchanges: lhs.exchanges + rhs.exchanges, queues: lhs.queues + rhs.queues,
            bindings: lhs.bindings + rhs.bindings)
    }

    func declare(on session: AMQPSession) throws {
        for exchange in exchanges { try session.declare(exchange) }
        for queue in queues { _ = try session.declare(queue) }
        for binding in bindings { try session.bind(binding) }
    }
}

/// An exchange to declare. The platform's are durable: they outlive a broker restart.
public struct Exchange: Sendable, Hashable {
    public enum Kind: String, Sendable { case direct, topic, fanout }
    public var name: String
    public var kind: Kind
    public var durable: Bool

    public init(name: String, kind: Kind, durable: Bool = true) {
        self.name = name
        self.kind = kind
        self.durable = durable
    }
}

/// A queue to declare, with the arguments that make it a quorum queue and park poison messages.
/// Arguments cannot change once the queue exists: a change is a new queue.
public struct Queue: Sendable, Hashable {
    public enum Kind: String, Sendable { case classic, quorum }
    public var name: String
    public var kind: Kind
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    /// After this many deliveries the broker dead-letters the message instead (quorum queues).
    public var deliveryLimit: Int?
    public var deadLetterExchange: String?
    public var deadLetterRoutingKey: String?

    /// - Parameters:
    ///   - durable: survives a broker restart, with its persistent messages.
    ///   - kind: `quorum` is replicated across a cluster's nodes and counts deliveries; `classic`
    ///     lives on one node.
    ///   - exclusive: used only by the connection that declared it, and deleted with it.
    ///   - autoDelete: deleted once its last consumer has gone.
    ///   - deliveryLimit: deliveries before the broker dead-letters the message (quorum queues).
    ///   - deadLetterExchange: where rejected, expired and over-delivered messages go; a quorum
    ///     queue with one dead-letters at least once, and refuses publishes when full.
    ///   - deadLetterRoutingKey: the routing key they go with; nil keeps their own.
    public init(
        name: String, kind: Kind = .classic, durable: Bool = true, exclusive: Bool = false,
        autoDelete: Bool = false, deliveryLimit: Int? = nil, deadLetterExchange: String? = nil,
        deadLetterRoutingKey: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.deliveryLimit = deliveryLimit
        self.deadLetterExchange = deadLetterExchange
        self.deadLetterRoutingKey = deadLetterRoutingKey
    }

    var arguments: [(String, TableValue)] {
        var arguments: [(String, TableValue)] = []
        if kind == .quorum { arguments.append(("x-queue-type", .string("quorum"))) }
        if let deliveryLimit { arguments.append(("x-delivery-limit", .int(Int64(deliveryLimit)))) }
        if let deadLetterExchange { arguments.append(("x-dead-letter-exchange", .string(deadLetterExchange))) }
        if let deadLetterRoutingKey { arguments.append(("x-dead-letter-routing-key", .string(deadLetterRoutingKey))) }
        if kind == .quorum, deadLetterExchange != nil {
            // By default a quorum queue dead-letters at most once: a message parked while the
            // dead-letter queue's leader moves (a node lost or back) can vanish. At least once
            // needs the queue to refuse publishes when full rather than drop its oldest.
            arguments.append(("x-dead-letter-strategy", .string("at-least-once")))
            arguments.append(("x-overflow", .string("reject-publish")))
        }
        return arguments
    }
}

/// Routes an exchange's messages whose routing key matches `routingKey` (a pattern such as
/// `loans.#` on a topic exchange) to a queue.
public struct Binding: Sendable, Hashable {
    public var queue: String
    public var exchange: String
    public var routingKey: String

    public init(queue: String, exchange: String, routingKey: String) {
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
    }
}

/// A value in an AMQP field table, as far as the platform writes them.
enum TableValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
}
