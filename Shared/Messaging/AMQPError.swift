public enum AMQPError: Error, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case notConnected
    case connectionLost(String)
    case closed
    case connectFailed(String)
    case operationFailed(String)
    case nacked(messageID: String?)
    case unroutable(exchange: String, routingKey: String)
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
        case .unroutable(let exchange, let key): "no queue is bound to \(exchange.isEmpty ? "(default exchange)" : exchange) with routing key \(key)"
        case .timedOut(let operation): "\(operation) timed out"
        }
    }
}
