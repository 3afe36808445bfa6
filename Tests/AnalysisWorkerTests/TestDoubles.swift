import Synchronization

/// A clock the test moves by hand, so time-based behaviour is tested without waiting.
final class ManualClock: Sendable {
    private let reading = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { reading.withLock { $0 } }

    func advance(by duration: Duration) {
        reading.withLock { $0 += duration }
    }
}

/// Values reported from any thread, for a test to look at afterwards.
final class Recorded<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    var all: [Value] { values.withLock { $0 } }

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }
}
