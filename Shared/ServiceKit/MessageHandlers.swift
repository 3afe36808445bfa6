import Contracts
import Foundation
import Logging
import Messaging
import Metrics
import Persistence

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

/// The handlers of one queue, keyed by message type. A message of the platform's that has no
/// handler here (an event the service does not act on, or a newer version of one) is acknowledged
/// and skipped. Poison is dead-lettered: a type no service sends (`BusMessages.catalogue`), a
/// body over `BusMessages.maximumBodyBytes`, one that does not decode, one without a message id.
/// A handler that throws is retried (see `QueueConsumer`) until the queue's delivery limit parks
/// the message in its dead-letter queue.
public struct MessageHandlers: Sendable {
    typealias Handler = @Sendable (_ body: [UInt8], MessageContext) async -> QueueConsumer.Outcome
    private(set) var handlers: [String: Handler] = [:]

    public init() {}

    /// Handles messages of `type` (its exact version; another version is acknowledged and
    /// skipped). Registering a type again replaces its handler.
    ///
    /// - Parameters:
    ///   - type: the message type; its `type` string (with the version) keys the handler.
    ///   - handler: the reaction, with the decoded message (a body that does not decode is
    ///     dead-lettered first). Make it idempotent (see `Database.processOnce`). Returning
    ///     acknowledges the message; throwing retries it, and an `UnreadableRow` is also logged and
    ///     counted as one.
    public mutating func on<Message: BusMessage>(
        _ type: Message.Type, _ handler: @escaping @Sendable (Message, MessageContext) async throws -> Void
    ) {
        handlers[Message.type] = { body, context in
            let message: Message
            do {
                message = try JSON.decode(Message.self, from: body)
            } catch {
                context.logger.warning("undecodable message", metadata: ["error": "\(error)"])
                return .deadLetter
            }
            do {
                try await handler(message, context)
                return .ack
            } catch {
                if !UnreadableRow.report(error, logger: context.logger) {
                    context.logger.warning("message handler failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
                }
                return .retry
            }
        }
    }

    func handle(_ delivery: Delivery, logger: Logger) async -> QueueConsumer.Outcome {
        guard let type = delivery.properties.type, BusMessages.isKnown(type) else {
            logger.warning("message of a type no service sends", metadata: ["type": "\(delivery.properties.type ?? "-")"])
            return .deadLetter
        }
        guard let handler = handlers[type] else { return .ack }
        guard delivery.body.count <= BusMessages.maximumBodyBytes else {
            logger.warning("oversized message", metadata: ["type": "\(type)", "bytes": "\(delivery.body.count)"])
            return .deadLetter
        }
        guard let messageID = delivery.properties.messageID, !messageID.isEmpty else {
            logger.warning("message without message_id", metadata: ["type": "\(type)"])
            return .deadLetter
        }
        var logger = logger
        logger[metadataKey: "message_id"] = "\(messageID)"
        logger[metadataKey: "message_type"] = "\(type)"
        return await handler(delivery.body, MessageContext(messageID: messageID, logger: logger))
    }

    /// What the consumer does with `message` arriving under `messageID` (a redelivery reuses
    /// it): the same decoding and handler, without a broker. For tests of a service's reactions.
    ///
    /// - Parameters:
    ///   - message: the message as a publisher sends it; it is encoded and decoded again.
    ///   - messageID: the AMQP `message_id`; pass the same one again to test a redelivery.
    /// - Returns: how the consumer would settle the message: `QueueConsumer.Outcome.ack` also
    ///   when no handler takes its type.
    /// - Throws: only when `message` does not encode.
    public func deliver<Message: BusMessage>(
        _ message: Message, messageID: String = UUID().uuidString.lowercased(), logger: Logger
    ) async throws -> QueueConsumer.Outcome {
        guard let handler = handlers[Message.type] else { return .ack }
        return await handler(try JSON.encode(message), MessageContext(messageID: messageID, logger: logger))
    }
}
