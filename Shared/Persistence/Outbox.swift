import Foundation
import Logging
import Messaging
import PostgresNIO
import Tracing

/// A message to publish once the transaction that wrote it commits.
public struct OutboxMessage: Sendable {
    public var messageID: UUID
    public var exchange: String
    public var routingKey: String
    public var type: String
    /// JSON text.
    public var body: String
    public var headers: [String: String]

    /// - Parameters:
    ///   - messageID: the message's id; consumers' inboxes recognise a redelivery by it.
    ///   - exchange: where to publish; `""` is the default exchange, where `routingKey` is a queue's
    ///     name (commands to one service).
    ///   - routingKey: on `lending.events`, the event's type without its version.
    ///   - type: the AMQP `type`, e.g. `loans.application.submitted.v1`.
    ///   - body: the message as JSON text in the platform's dialect.
    ///   - headers: AMQP headers; the trace is added by ``Outbox/enqueue(_:on:)``.
    public init(
        messageID: UUID = .random(), exchange: String, routingKey: String, type: String, body: String,
        headers: [String: String] = [:]
    ) {
        self.messageID = messageID
        self.exchange = exchange
        self.routingKey = routingKey
        self.type = type
        self.body = body
        self.headers = headers
    }

    /// The AMQP `message_id` the relay publishes it with, which consumers' inboxes record.
    public var wireID: String { Self.wireID(messageID) }

    static func wireID(_ id: UUID) -> String { id.uuidString.lowercased() }
}

/// The transactional outbox: a service writes its state change and the messages it causes in one
/// transaction; `OutboxRelay` publishes them afterwards. A rolled-back transaction publishes nothing.
public struct Outbox: Sendable {
    let logger: Logger

    /// The LISTEN/NOTIFY channel an insert into the schema's outbox signals.
    public static func channel(schema: String) -> String { "\(schema)_outbox" }

    /// Writes `message` in the caller's transaction; it carries the current trace, if any, as the
    /// next hop: with spans recorded, a producer span that its consumers' spans are children of.
    ///
    /// - Parameter connection: the transaction of the state change that causes the message: the
    ///   message is published only if it commits.
    public func enqueue(_ message: OutboxMessage, on connection: PostgresConnection) async throws {
        try await TraceSpans.withOutgoingSpan("send \(message.type)", ofKind: .producer) { hop, span in
            span?.describeMessage(
                destination: message.exchange.isEmpty ? message.routingKey : message.exchange, messageID: message.wireID)
            var traced = message.headers
            if let hop { traced[TraceContext.header] = hop.traceparent }
            let headers = String(decoding: try JSONEncoder().encode(traced), as: UTF8.self)
            try await connection.query(
                """
                INSERT INTO outbox (message_id, exchange, routing_key, type, body, headers)
                VALUES (\(message.messageID), \(message.exchange), \(message.routingKey), \(message.type), \(message.body), \(headers)::jsonb)
                """, logger: logger)
        }
    }
}
