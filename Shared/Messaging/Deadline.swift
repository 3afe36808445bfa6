/// Runs `operation`, cancelling it once `limit` has passed, and then throws ``DeadlineExceeded``.
///
/// For work that must not wait forever on a peer that went away without a word: after a
/// PostgreSQL restart, a request for a pooled connection has been seen to wait indefinitely, and
/// an outbox relay or a consumer stuck that way stops the pipeline while everything looks healthy.
/// `operation` must honour cancellation (postgres-nio's connection requests do).
public func withDeadline<Value: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded(limit: limit) }
        return value
    }
}

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "gave up after \(limit)" }
}
