import Contracts
import Logging
import Messaging
import Metrics

/// What a bus-message handler knows about its message.
public struct MessageContext: Sendable {
    /// The id to record in the inbox (see `Database.processOnce`).
    public let messageID: String
    public let logger: Logger

    public init(messageID: String, logger: Logger) {
        self.messageID = messageID
        self.logger = logger
    }
}

/// The handlers of one queue, keyed by message type. A message whose type has no handler is
/// acknowledged and skipped (consumers ignore what they do not know); one that does not decode,
/// or lacks a message id, is dead-lettered; a handler that throws is retried with backoff until
/// the queue's delivery limit parks the message in its dead-letter queue.
public struct MessageHandlers: Sendable {
    typealias Handler = @Sendable (Delivery, MessageContext) async -> QueueConsumer.Outcome
    private(set) var handlers: [String: Handler] = [:]

    public init() {}

    public mutating func on<Message: BusMessage>(
        _ type: Message.Type, _ handler: @escaping @Sendable (Message, MessageContext) async throws -> Void
    ) {
        handlers[Message.type] = { delivery, context in
            let message: Message
            do {
                message = try JSON.decode(Message.self, from: delivery.body)
            } catch {
                context.logger.warning("undecodable message", metadata: ["error": "\(error)"])
                return .deadLetter
            }
            do {
                try await handler(message, context)
                return .ack
            } catch {
                context.logger.warning("message handler failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
                return .retry
            }
        }
    }

    func handle(_ delivery: Delivery, logger: Logger) async -> QueueConsumer.Outcome {
        guard let type = delivery.properties.type, let handler = handlers[type] else { return .ack }
        guard let messageID = delivery.properties.messageID, !messageID.isEmpty else {
            logger.warning("message without message_id", metadata: ["type": "\(type)"])
            return .deadLetter
        }
        var logger = logger
        logger[metadataKey: "message_id"] = "\(messageID)"
        logger[metadataKey: "message_type"] = "\(type)"
        return await handler(delivery, MessageContext(messageID: messageID, logger: logger))
    }
}
