import Contracts
import Foundation
import Messaging
import Persistence
import PostgresNIO

/// The append-only record of every domain event, the raw material of reports and the audit log.
/// Keyed by message id, so a redelivered event is stored once. It keeps any well-formed event,
/// also of a type the reports do not read (it is the platform's archive); only unreadable ones
/// are poison.
struct EventStore: Sendable {
    let database: Database
    let audit: AuditTrail

    enum Outcome {
        case stored
        case duplicate
        /// Not a JSON object, larger than `BusMessages.maximumBodyBytes`, or without a message id
        /// or type: kept out of the store, the consumer dead-letters it.
        case unreadable
    }

    func record(_ delivery: Delivery) async throws -> Outcome {
        guard delivery.body.count <= BusMessages.maximumBodyBytes,
              let messageID = delivery.properties.messageID, let type = delivery.properties.type,
              let json = (try? JSONSerialization.jsonObject(with: Data(delivery.body))) as? [String: Any]
        else { return .unreadable }
        let payload = String(decoding: delivery.body, as: UTF8.self)
        let occurredAt = delivery.properties.timestamp ?? Date()
        return try await database.transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO analytics.events (message_id, type, routing_key, source, occurred_at, payload)
                VALUES (\(messageID), \(type), \(delivery.routingKey), \(delivery.properties.appID), \(occurredAt), \(payload)::jsonb)
                ON CONFLICT (message_id) DO NOTHING RETURNING seq
                """, logger: database.logger)
            var stored = false
            for try await _ in rows { stored = true }
            guard stored else { return .duplicate }
            // Staff actions and security events also go into the audit log, in the same transaction.
            if let draft = AuditRules.draft(type: type, payload: json) {
                try await audit.append(draft, messageID: messageID, at: Date(), on: connection)
            }
            return .stored
        }
    }
}
