import Synchronization

/// Bounds the number of in-flight commands and keeps idle connections for reuse.
///
/// A caller first takes one of `size` slots (waiting in FIFO order when none is free), receiving
/// an idle connection if there is one, and later gives the slot back with ``checkin(_:)``.
final class ConnectionPool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<RedisConnection?, any Error>
    }

    private struct State {
        var idle: [RedisConnection] = []
        var freeSlots: Int
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var isClosed = false
    }

    private let state: Mutex<State>

    init(size: Int) {
        state = Mutex(State(freeSlots: size))
    }

    /// Waits for a free slot. Returns an idle connection to reuse, or `nil` when the caller should
    /// open one. Every successful checkout must be matched by exactly one ``checkin(_:)``.
    func checkout() async throws -> RedisConnection? {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<RedisConnection?, any Error>? = state.withLock { state in
                    if state.isClosed { return .failure(RedisError.poolClosed) }
                    if state.freeSlots > 0 {
                        state.freeSlots -= 1
                        return .success(state.idle.popLast())
                    }
                    // Checked under the lock so a cancellation racing with this enqueue is never lost.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back. A still-usable `connection` goes straight to the next waiter or to the
    /// idle list; `nil` (a broken connection was dropped) frees the slot for a new connection.
    func checkin(_ connection: RedisConnection?) {
        let waiter: Waiter? = state.withLock { state in
            if state.isClosed { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            if let connection { state.idle.append(connection) }
            state.freeSlots += 1
            return nil
        }
        waiter?.continuation.resume(returning: connection)
    }

    var isClosed: Bool { state.withLock { $0.isClosed } }

    /// Closes idle connections and fails waiting and later checkouts with ``RedisError/poolClosed``.
    /// Connections in use are closed when checked in. Returns `false` if already closed.
    func close() -> Bool {
        let waiters: [Waiter]? = state.withLock { state in
            guard !state.isClosed else { return nil }
            state.isClosed = true
            state.idle = []
            defer { state.waiters = [] }
            return state.waiters
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.continuation.resume(throwing: RedisError.poolClosed) }
        return true
    }
}
