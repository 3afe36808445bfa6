import Logging
import PostgresNIO

/// Makes a consumer idempotent: record the message id in the same transaction as the effects; a
/// message seen before is acknowledged and skipped. Two replicas racing on the same redelivered
/// message serialise on the primary key, and the second one sees it as already processed.
public struct Inbox: Sendable {
    let schema: String
    let logger: Logger

    /// `true` the first time a message id is claimed (go on), `false` if it was processed before.
    public func claim(_ messageID: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).processed_messages (message_id) VALUES ($1)
                    ON CONFLICT DO NOTHING RETURNING message_id
                    """,
                binds: {
                    var binds = PostgresBindings()
                    binds.append(messageID)
                    return binds
                }()), logger: logger)
        var claimed = false
        for try await _ in rows { claimed = true }
        return claimed
    }
}
