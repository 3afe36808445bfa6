import PostgresNIO

extension Database {
    /// Runs `body` in a transaction that also records `messageID` in the inbox; a message processed
    /// before is skipped (returns false), so a redelivery changes nothing.
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
