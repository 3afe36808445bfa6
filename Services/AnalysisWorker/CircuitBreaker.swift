import Synchronization

/// Stops calling a dependency that keeps failing, so a bureau outage costs each analysis nothing
/// instead of a timeout and its retries.
///
/// Closed: calls go through; `failureThreshold` failures in a row open it. Open: calls are refused
/// until `coolDown` has passed. Half-open: one trial call goes through (the others are refused);
/// its success closes the breaker, its failure opens it for another cool-down.
///
/// Every call `permit()` lets through must be reported once, with `recordSuccess()` or
/// `recordFailure()`. Safe to share between concurrent analyses.
final class CircuitBreaker: Sendable {
    enum State: String, Sendable {
        case closed, open, halfOpen = "half_open"
    }

    struct Settings: Sendable {
        var failureThreshold = 5
        var coolDown: Duration = .seconds(30)
    }

    private struct Machine {
        var state = State.closed
        var consecutiveFailures = 0
        var openedAt: ContinuousClock.Instant?
        var trialInFlight = false
    }

    let settings: Settings
    private let now: @Sendable () -> ContinuousClock.Instant
    private let onTransition: @Sendable (State) -> Void
    private let machine = Mutex(Machine())

    /// - Parameters:
    ///   - now: the clock's reading; tests pass one they move themselves.
    ///   - onTransition: told every new state (for metrics and logs), outside the lock.
    init(
        _ settings: Settings = Settings(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        onTransition: @escaping @Sendable (State) -> Void = { _ in }
    ) {
        self.settings = settings
        self.now = now
        self.onTransition = onTransition
    }

    var state: State { machine.withLock { $0.state } }

    /// Whether a call may go out now. In the open state, the first call after the cool-down
    /// becomes the half-open trial.
    func permit() -> Bool {
        let instant = now()
        let (permitted, transition) = machine.withLock { machine -> (Bool, State?) in
            switch machine.state {
            case .closed:
                return (true, nil)
            case .open:
                guard let openedAt = machine.openedAt, instant - openedAt >= settings.coolDown else { return (false, nil) }
                machine.state = .halfOpen
                machine.trialInFlight = true
                return (true, .halfOpen)
            case .halfOpen:
                guard !machine.trialInFlight else { return (false, nil) }
                machine.trialInFlight = true
                return (true, nil)
            }
        }
        transition.map(onTransition)
        return permitted
    }

    func recordSuccess() {
        let transition = machine.withLock { machine -> State? in
            machine.consecutiveFailures = 0
            machine.trialInFlight = false
            guard machine.state != .closed else { return nil }
            machine.state = .closed
            machine.openedAt = nil
            return .closed
        }
        transition.map(onTransition)
    }

    func recordFailure() {
        let instant = now()
        let transition = machine.withLock { machine -> State? in
            machine.consecutiveFailures += 1
            machine.trialInFlight = false
            let trips =
                machine.state == .halfOpen
                || (machine.state == .closed && machine.consecutiveFailures >= settings.failureThreshold)
            guard trips else { return nil }
            machine.state = .open
            machine.openedAt = instant
            return .open
        }
        transition.map(onTransition)
    }
}
