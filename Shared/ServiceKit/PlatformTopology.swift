import Contracts
import Messaging

/// The platform's RabbitMQ topology, built from the names in `Contracts`.
public enum PlatformTopology {
    /// How many times a durable queue delivers a message before parking it in its dead-letter queue.
    public static let deliveryLimit = 5

    public static let exchanges = Topology(exchanges: [
        Exchange(name: Exchanges.rpc, kind: .direct),
        Exchange(name: Exchanges.events, kind: .topic),
        Exchange(name: Exchanges.push, kind: .topic),
        Exchange(name: Exchanges.deadLetters, kind: .direct),
    ])

    /// `<service>.rpc`, of the deployment's kind (``ServiceConfiguration/rpcQueueKind``). No
    /// dead-letter exchange: an expired request must vanish, not be parked.
    public static func rpcQueue(for service: ServiceName, kind: Queue.Kind) -> Topology {
        Topology(
            queues: [Queue(name: service.rpcQueue, kind: kind, durable: true)],
            bindings: [Binding(queue: service.rpcQueue, exchange: Exchanges.rpc, routingKey: service.rawValue)])
    }

    /// A durable quorum queue with a delivery limit whose poison messages go to `<name>.dlq`.
    /// `routingKeys` bind it to the events exchange; a queue without them is addressed by name.
    ///
    /// - Parameter routingKeys: event routing keys or patterns, e.g. `loans.application.submitted`
    ///   or `approvals.#`.
    /// - Returns: the queue, its dead-letter queue, and their bindings.
    public static func durableQueue(_ name: String, eventRoutingKeys routingKeys: [String] = []) -> Topology {
        let deadLetters = "\(name).dlq"
        return Topology(
            queues: [
                Queue(
                    name: name, kind: .quorum, deliveryLimit: deliveryLimit,
                    deadLetterExchange: Exchanges.deadLetters, deadLetterRoutingKey: name),
                Queue(name: deadLetters, kind: .quorum),
            ],
            bindings: routingKeys.map { Binding(queue: name, exchange: Exchanges.events, routingKey: $0) }
                + [Binding(queue: deadLetters, exchange: Exchanges.deadLetters, routingKey: name)])
    }
}
