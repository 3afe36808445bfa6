import Logging
import PostgresNIO

/// Makes a consumer idempotent: record the message id in the same transaction as the effects; a
/// message seen before is acknowledged and skipped. Two replicas racing on the same redelivered
/// message serialise on the primary key, and the second one sees it as already processed.
public struct Inbox: Sendable {
    let logger: Logger

    /// `true` the first time a message id is claimed (go on), `false` if it was processed before.
    public func claim(_ messageID: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "INSERT INTO processed_messages (message_id) VALUES (\(messageID)) ON CONFLICT DO NOTHING RETURNING message_id",
            logger: logger)
        var claimed = false
        for try await _ in rows { claimed = true }
        return claimed
    }
}
