import Contracts
import Persistence
import PostgresNIO

extension Database {
    /// Runs a creating request's `body` in one transaction, at most once per idempotency key: the
    /// reply is stored with the effects, and a later attempt with the same key (the client's retry
    /// after a `504`) gets that reply back instead of a second effect. Without a key it is a
    /// plain transaction. A `Problem` thrown by `body` rolls back and stores nothing, so the retry
    /// is judged afresh.
    ///
    /// - Parameters:
    ///   - idempotencyKey: the caller's key as the gateway scoped it (``RPCContext/idempotencyKey``);
    ///     nil for a plain transaction.
    ///   - body: the request's effects and reply, on the transaction's connection.
    /// - Returns: `body`'s reply, or the reply stored by the attempt that committed first.
    /// - Throws: `body`'s error; `IdempotentRepliesError.replyMissing` for a key claimed without a
    ///   reply; a decoding error when a stored reply no longer decodes as `Body`.
    public func transaction<Body: Codable & Sendable>(
        once idempotencyKey: String?, _ body: (PostgresConnection) async throws -> RPCReply<Body>
    ) async throws -> RPCReply<Body> {
        guard let idempotencyKey else { return try await transaction(body) }
        return try await transaction { connection in
            if let stored = try await idempotentReplies.claim(idempotencyKey, on: connection) {
                return RPCReply(status: stored.status, body: try JSON.decode(Body.self, from: stored.body))
            }
            let reply = try await body(connection)
            try await idempotentReplies.store(
                .init(status: reply.status, body: try JSON.encode(reply.body)), for: idempotencyKey, on: connection)
            return reply
        }
    }
}
