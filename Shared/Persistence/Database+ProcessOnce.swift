import PostgresNIO

extension Database {
    /// Runs `body` in a transaction that also records `messageID` in the inbox; a message processed
    /// before is skipped (returns false), so a redelivery changes nothing.
    ///
    /// - Parameters:
    ///   - messageID: the message's AMQP `message_id` (`MessageContext.messageID` in ServiceKit).
    ///   - body: the message's effects, on the transaction's connection; its events go through
    ///     ``Database/outbox`` on the same connection.
    /// - Returns: true when `body` ran and committed; false when the message was processed before.
    @discardableResult
    public func processOnce(
        messageID: String, _ body: (PostgresConnection) async throws -> Void
    ) async throws -> Bool {
        try await transaction { connection in
            guard try await inbox.claim(messageID, on: connection) else { return false }
            try await body(connection)
            return true
        }
    }
}
