import CRabbitMQ

/// Synchronous broker operations. Only valid on its connection's own thread: inside
/// `AMQPConnection.withSession`, or while the connection declares its topology.
public final class AMQPSession {
    public struct QueueStatus: Sendable {
        public let messageCount: Int
        public let consumerCount: Int
    }

    /// Channel 1 carries declarations, consumers and unconfirmed publishes; channel 2 is in
    /// confirm mode and carries confirmed publishes only.
    static let channel: amqp_channel_t = 1
    static let confirmChannel: amqp_channel_t = 2

    let state: amqp_connection_state_t

    init(state: amqp_connection_state_t) {
        self.state = state
    }

    /// Declares `exchange`; declaring it again with the same settings does nothing.
    ///
    /// - Throws: ``AMQPError/operationFailed(_:)``, e.g. when it exists with another kind.
    public func declare(_ exchange: Exchange) throws {
        let arena = CArena()
        let ok = amqp_exchange_declare(
            state, Self.channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue),
            0, exchange.durable ? 1 : 0, 0, 0, amqp_empty_table)
        try check(ok, "declare exchange \(exchange.name)")
    }

    /// Declares `queue` with its arguments; declaring it again with the same ones does nothing.
    ///
    /// - Returns: its depth and consumers now.
    /// - Throws: ``AMQPError/operationFailed(_:)``, e.g. when it exists with other arguments
    ///   (`PRECONDITION_FAILED`): a queue's kind and limits cannot change in place.
    @discardableResult
    public func declare(_ queue: Queue) throws -> QueueStatus {
        let arena = CArena()
        let ok = amqp_queue_declare(
            state, Self.channel, arena.bytes(queue.name), 0, queue.durable ? 1 : 0,
            queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0, arena.table(queue.arguments))
        let status = try check(ok, "declare queue \(queue.name)")
        return QueueStatus(messageCount: Int(status.message_count), consumerCount: Int(status.consumer_count))
    }

    /// The queue's current depth and consumers; fails (and costs the connection) if it is missing.
    public func inspect(queue: String) throws -> QueueStatus {
        let arena = CArena()
        let ok = amqp_queue_declare(state, Self.channel, arena.bytes(queue), 1, 0, 0, 0, amqp_empty_table)
        let status = try check(ok, "inspect queue \(queue)")
        return QueueStatus(messageCount: Int(status.message_count), consumerCount: Int(status.consumer_count))
    }

    public func bind(_ binding: Binding) throws {
        let arena = CArena()
        let ok = amqp_queue_bind(
            state, Self.channel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
            arena.bytes(binding.routingKey), amqp_empty_table)
        try check(ok, "bind \(binding.queue) to \(binding.exchange) with \(binding.routingKey)")
    }

    /// Removing a binding that does not exist is not an error.
    public func unbind(_ binding: Binding) throws {
        let arena = CArena()
        let ok = amqp_queue_unbind(
            state, Self.channel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
            arena.bytes(binding.routingKey), amqp_empty_table)
        try check(ok, "unbind \(binding.queue) from \(binding.exchange) with \(binding.routingKey)")
    }

    /// Drops every ready message of `queue` (not those delivered and unacknowledged).
    ///
    /// - Returns: how many messages were dropped.
    @discardableResult
    public func purge(queue: String) throws -> Int {
        let arena = CArena()
        let ok = amqp_queue_purge(state, Self.channel, arena.bytes(queue))
        return Int(try check(ok, "purge \(queue)").message_count)
    }

    public func delete(queue: String) throws {
        let arena = CArena()
        let ok = amqp_queue_delete(state, Self.channel, arena.bytes(queue), 0, 0)
        try check(ok, "delete queue \(queue)")
    }

    func consume(_ consumer: ConsumerRegistration) throws {
        let arena = CArena()
        if !consumer.noAck {
            // Per consumer (global = false): RabbitMQ applies it to consumers started after it.
            try check(amqp_basic_qos(state, Self.channel, 0, consumer.prefetch, 0), "set prefetch on \(consumer.queue)")
        }
        let ok = amqp_basic_consume(
            state, Self.channel, arena.bytes(consumer.queue), arena.bytes(consumer.tag), 0, consumer.noAck ? 1 : 0, 0,
            amqp_empty_table)
        try check(ok, "consume \(consumer.queue)")
    }

    func cancel(consumerTag: String) throws {
        let arena = CArena()
        try check(amqp_basic_cancel(state, Self.channel, arena.bytes(consumerTag)), "cancel consumer \(consumerTag)")
    }

    @discardableResult
    private func check<Reply>(_ reply: UnsafeMutablePointer<Reply>?, _ operation: String) throws -> Reply {
        guard let reply else {
            throw AMQPError.operationFailed("\(operation): \(describe(amqp_get_rpc_reply(state)))")
        }
        return reply.pointee
    }
}
