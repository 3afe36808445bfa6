/// What the AMQP connection, its sessions and the RPC client throw.
public enum AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A broker URL that is not `amqp://user:password@host:port/vhost`.
    case invalidURL(String)
    /// The connection is between brokers (reconnecting): the operation was not attempted.
    case notConnected
    /// The connection broke with the operation in flight (a publish awaiting its confirm, an RPC
    /// awaiting its reply): whether the broker or the callee acted on it is unknown.
    case connectionLost(String)
    /// ``AMQPConnection/close()`` has been called: the connection takes nothing more.
    case closed
    /// An attempt to connect to one node failed. Logged by the connection, which keeps trying;
    /// callers meanwhile see ``notConnected``.
    case connectFailed(String)
    /// The broker refused a synchronous operation (declare, bind, consume…), with its reason,
    /// e.g. a queue declared again with other arguments. The broker closes the channel for it, so
    /// the connection starts afresh.
    case operationFailed(String)
    /// The broker refused a confirmed publish (a negative confirm), e.g. a full quorum queue that
    /// rejects publishes.
    case nacked(messageID: String?)
    /// A mandatory message that no queue is bound to take.
    case unroutable(exchange: String, routingKey: String)
    /// No reply came within the caller's timeout. The request may still run: its expiration
    /// only drops it if nobody has taken it yet.
    case timedOut(operation: String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid AMQP URL: \(url)"
        case .notConnected: "not connected to RabbitMQ"
        case .connectionLost(let why): "connection to RabbitMQ lost: \(why)"
        case .closed: "the AMQP connection is closed"
        case .connectFailed(let why): "could not connect to RabbitMQ: \(why)"
        case .operationFailed(let why): "AMQP operation failed: \(why)"
        case .nacked(let id): "the broker refused message \(id ?? "(no id)")"
        case .unroutable(let exchange, let key):
            "no queue is bound to \(exchange.isEmpty ? "(default exchange)" : exchange) with routing key \(key)"
        case .timedOut(let operation): "\(operation) timed out"
        }
    }
}
