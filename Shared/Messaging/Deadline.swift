import ServiceLifecycle
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
///
/// - Parameters:
///   - limit: how long to wait; the deadline fires up to 20 ms late (one clock serves every
///     deadline of the process).
///   - operation: the work, in a task of its own.
/// - Returns: `operation`'s result, if it came first.
/// - Throws: `operation`'s error; ``DeadlineExceeded`` at the deadline; `CancellationError` when
///   the caller is cancelled.
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
            race.track(
                work,
                watch: DeadlineClock.process.watch(for: limit) {
                    race.settle(.failure(DeadlineExceeded(limit: limit)))
                })
        }
    } onCancel: {
        race.settle(.failure(CancellationError()))
    }
}

/// What ``withDeadline(_:_:)`` throws when its operation has not finished in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "gave up after \(limit)" }
}

/// The first outcome of an operation racing its deadline (or the caller's cancellation): it
/// resumes the caller once, cancels the work if it is still running and stops watching the clock.
private final class Race<Value: Sendable>: Sendable {
    private struct State {
        var caller: CheckedContinuation<Value, any Error>?
        var outcome: Result<Value, any Error>?
        var work: Task<Void, Never>?
        var watch: DeadlineClock<ContinuousClock>.Ticket?
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

    func track(_ work: Task<Void, Never>, watch: DeadlineClock<ContinuousClock>.Ticket) {
        let decided = state.withLock { state in
            if state.outcome == nil { (state.work, state.watch) = (work, watch) }
            return state.outcome != nil
        }
        if decided { finish(work, watch) }
    }

    /// The first call decides; later ones are ignored.
    func settle(_ outcome: Result<Value, any Error>) {
        let losers = state.withLock { state -> State? in
            guard state.outcome == nil else { return nil }
            defer { state = State(outcome: outcome) }
            return state
        }
        guard let losers else { return }
        losers.caller?.resume(with: outcome)
        finish(losers.work, losers.watch)
    }

    private func finish(_ work: Task<Void, Never>?, _ watch: DeadlineClock<ContinuousClock>.Ticket?) {
        work?.cancel()
        if let watch { DeadlineClock.process.forget(watch) }
    }
}

/// The clock of every deadline of the process: a task that looks every `resolution` for
/// deadlines that have passed, instead of a timer task per deadline (a deadline per RPC call must
/// cost next to nothing: a sleeping task per call cost ServiceKit's RPC about a tenth of its
/// throughput, measured). Deadlines fire up to `resolution` late. `withDeadline` and the RPC
/// client's timeouts use ``process``.
///
/// It is a `Service`: a service's `ServiceHost` runs the process's clock with its connections, so
/// it starts and stops with them. In a process without a host (a test, a tool), the first deadline
/// starts a ticker of its own, which stops when nothing is watched. The clock it reads is
/// injectable, so its expiry is tested on a clock the test moves.
public final class DeadlineClock<C: Clock>: Service, Sendable where C.Duration == Duration {
    typealias Ticket = UInt64

    private struct Watched {
        var next: Ticket = 0
        var due: [Ticket: (at: C.Instant, expire: @Sendable () -> Void)] = [:]
        var runByHost = false
        var ticking = false
    }

    private let clock: C
    private let resolution: Duration
    private let state = Mutex(Watched())

    public init(clock: C, resolution: Duration = .milliseconds(20)) {
        self.clock = clock
        self.resolution = resolution
    }

    /// Ticks until the host shuts it down: last, since it is the first of its services, so every
    /// other one still has its deadlines while it stops. A deadline still watched then is handed to
    /// a ticker of its own.
    public func run() async throws {
        state.withLock { $0.runByHost = true }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await clock.sleep(for: resolution)
            _ = expireDue()
        }
        let startTicking = state.withLock { state in
            state.runByHost = false
            let start = !state.due.isEmpty && !state.ticking
            if start { state.ticking = true }
            return start
        }
        if startTicking { startTicker() }
    }

    /// Calls `expire` once `deadline` has passed, unless the ticket is forgotten first.
    func watch(until deadline: C.Instant, expire: @escaping @Sendable () -> Void) -> Ticket {
        let (ticket, startTicking) = state.withLock { state in
            state.next += 1
            state.due[state.next] = (deadline, expire)
            let start = !state.runByHost && !state.ticking
            if start { state.ticking = true }
            return (state.next, start)
        }
        if startTicking { startTicker() }
        return ticket
    }

    /// A deadline `limit` from now on this clock.
    func watch(for limit: Duration, expire: @escaping @Sendable () -> Void) -> Ticket {
        watch(until: clock.now.advanced(by: limit), expire: expire)
    }

    func forget(_ ticket: Ticket) {
        state.withLock { _ = $0.due.removeValue(forKey: ticket) }
    }

    /// Expires the deadlines that have passed; returns whether any is still watched.
    func expireDue() -> Bool {
        let now = clock.now
        let (expired, watching) = state.withLock { state in
            let due = state.due.filter { $0.value.at <= now }
            for ticket in due.keys { state.due.removeValue(forKey: ticket) }
            return (due.values.map(\.expire), !state.due.isEmpty)
        }
        expired.forEach { $0() }
        return watching
    }

    /// Detached: the ticker outlives whoever first needed it, and carries none of its context.
    private func startTicker() {
        Task.detached(priority: .high) { await self.tickWhileWatched() }
    }

    /// The ticker of a process without a host: while anything is watched (an idle process does
    /// not wake up for nothing), and until a host runs the clock.
    private func tickWhileWatched() async {
        while true {
            try? await clock.sleep(for: resolution)
            let watching = expireDue()
            let goOn = state.withLock { state in
                state.ticking = watching && !state.runByHost
                return state.ticking
            }
            if !goOn { return }
        }
    }
}

extension DeadlineClock where C == ContinuousClock {
    /// The process's clock, which `withDeadline` and the RPC client's timeouts use.
    public static var process: DeadlineClock<ContinuousClock> { processClock }
}

private let processClock = DeadlineClock(clock: ContinuousClock())
