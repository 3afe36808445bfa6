import Foundation
import Messaging
import Persistence
import PostgresNIO

/// The append-only record of every domain event, the raw material of reports and the audit log.
/// Keyed by message id, so a redelivered event is stored once.
struct EventStore: Sendable {
    let database: Database

    enum Outcome {
        case stored
        case duplicate
        /// Not JSON: kept out of the store, the consumer dead-letters it.
        case unreadable
    }

    func record(_ delivery: Delivery) async throws -> Outcome {
        guard let messageID = delivery.properties.messageID, let type = delivery.properties.type,
              (try? JSONSerialization.jsonObject(with: Data(delivery.body))) != nil
        else { return .unreadable }
        let payload = String(decoding: delivery.body, as: UTF8.self)
        let occurredAt = delivery.properties.timestamp ?? Date()
        let rows = try await database.client.query(
            """
            INSERT INTO analytics.events (message_id, type, routing_key, source, occurred_at, payload)
            VALUES (\(messageID), \(type), \(delivery.routingKey), \(delivery.properties.appID), \(occurredAt), \(payload)::jsonb)
            ON CONFLICT (message_id) DO NOTHING RETURNING seq
            """, logger: database.logger)
        for try await _ in rows { return .stored }
        return .duplicate
    }
}
