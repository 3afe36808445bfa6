import Synchronization

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` once `limit` has
/// passed, cancelling it. The caller gets its answer at the deadline even when `operation` ignores
/// cancellation: the operation is then abandoned, left to finish (or never finish) on its own.
///
/// For work that must not wait forever on a peer that went away without a word. After a
/// PostgreSQL restart, postgres-nio can hand out a connection whose channel has just closed, and a
/// query written to it awaits a promise nothing will complete (a future's `get()` does not
/// answer cancellation). A task group would wait for that child forever, so the operation runs in
/// a task of its own: a consumer or relay stuck that way retries instead of stopping the pipeline
/// while everything looks healthy, and shutdown is not held up by it.
///
/// Cancelling the caller cancels the operation and throws `CancellationError` at once. The
/// operation inherits the caller's task-local values (its trace) and priority.
public func withDeadline<Value: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let race = Race<Value>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            guard race.join(continuation) else { return }
            let work = Task {
                do { race.settle(.success(try await operation())) } catch { race.settle(.failure(error)) }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                race.settle(.failure(DeadlineExceeded(limit: limit)))
            }
            race.track([work, timer])
        }
    } onCancel: {
        race.settle(.failure(CancellationError()))
    }
}

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "gave up after \(limit)" }
}

/// The first outcome of an operation racing its deadline (or the caller's cancellation): it
/// resumes the caller once and cancels the contenders still running.
private final class Race<Value: Sendable>: Sendable {
    private struct State {
        var caller: CheckedContinuation<Value, any Error>?
        var outcome: Result<Value, any Error>?
        var contenders: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Registers the caller; false when the race was already decided (the caller was cancelled
    /// before it began), in which case the caller has been resumed and nothing should start.
    func join(_ caller: CheckedContinuation<Value, any Error>) -> Bool {
        let decided = state.withLock { state -> Result<Value, any Error>? in
            if state.outcome == nil { state.caller = caller }
            return state.outcome
        }
        guard let decided else { return true }
        caller.resume(with: decided)
        return false
    }

    func track(_ contenders: [Task<Void, Never>]) {
        let decided = state.withLock { state in
            if state.outcome == nil { state.contenders = contenders }
            return state.outcome != nil
        }
        if decided { contenders.forEach { $0.cancel() } }
    }

    /// The first call decides; later ones are ignored.
    func settle(_ outcome: Result<Value, any Error>) {
        let (caller, losers) = state.withLock { state -> (CheckedContinuation<Value, any Error>?, [Task<Void, Never>]) in
            guard state.outcome == nil else { return (nil, []) }
            state.outcome = outcome
            defer { state.caller = nil; state.contenders = [] }
            return (state.caller, state.contenders)
        }
        caller?.resume(with: outcome)
        losers.forEach { $0.cancel() }
    }
}
