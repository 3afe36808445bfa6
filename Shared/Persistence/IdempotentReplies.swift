import Logging
import PostgresNIO

/// Makes a creating request idempotent even when its reply is lost: the reply is stored under the
/// caller's idempotency key in the same transaction as the effects, so the retry that follows a
/// timeout (the reply went missing, or the service died after committing) gets the first reply
/// instead of causing a second effect. Two attempts racing serialise on the primary key.
public struct IdempotentReplies: Sendable {
    /// A reply as sent: its status and body (JSON).
    public struct Reply: Sendable {
        public let status: Int
        public let body: [UInt8]

        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    let logger: Logger

    /// Claims `key` for this transaction: nil the first time (go on, then ``store(_:for:on:)``),
    /// or the reply stored by the attempt that committed before. An attempt racing one that has
    /// not committed yet waits for it here (the primary key), then gets its reply.
    ///
    /// - Parameters:
    ///   - key: the caller's idempotency key, as the gateway scoped it to the caller and route.
    ///   - connection: the transaction that will carry the effects and the reply.
    /// - Returns: nil when this attempt goes on; the stored reply when an earlier one committed.
    /// - Throws: ``IdempotentRepliesError/replyMissing(key:)`` when an earlier attempt committed
    ///   without storing its reply.
    public func claim(_ key: String, on connection: PostgresConnection) async throws -> Reply? {
        let inserted = try await connection.query(
            "INSERT INTO idempotent_replies (key) VALUES (\(key)) ON CONFLICT DO NOTHING RETURNING key", logger: logger)
        for try await _ in inserted { return nil }
        let stored = try await connection.query("SELECT status, body FROM idempotent_replies WHERE key = \(key)", logger: logger)
        for try await (status, body) in stored.decode((Int?, String?).self) {
            if let status, let body { return Reply(status: status, body: Array(body.utf8)) }
        }
        // Claimed and committed without a reply: only a caller that skipped `store` does that.
        throw IdempotentRepliesError.replyMissing(key: key)
    }

    /// Stores the reply of the attempt that claimed `key`, in its transaction.
    public func store(_ reply: Reply, for key: String, on connection: PostgresConnection) async throws {
        let body = String(decoding: reply.body, as: UTF8.self)
        try await connection.query(
            "UPDATE idempotent_replies SET status = \(reply.status), body = \(body) WHERE key = \(key)", logger: logger)
    }

    /// Forgets replies older than `age` (clients retry within minutes; the gateway keeps its own
    /// record of a key for a day).
    public func prune(olderThan age: Duration, on connection: PostgresConnection) async throws {
        let seconds = Int(age.components.seconds)
        try await connection.query(
            "DELETE FROM idempotent_replies WHERE created_at < now() - make_interval(secs => \(seconds))", logger: logger)
    }
}

public enum IdempotentRepliesError: Error {
    case replyMissing(key: String)
}
