import Synchronization
import TestSupport
import Testing

@testable import Messaging

/// The deadline clock on a clock the test moves: a deadline expires once its time has passed on
/// that clock, and never before.
@Suite struct DeadlineClockTests {
    @Test func aDeadlineExpiresOnceItsClockPassesItAndAForgottenOneNever() async throws {
        let time = SteppedClock()
        let deadlines = DeadlineClock(clock: time, resolution: .milliseconds(20))
        let running = Task { try await deadlines.run() }
        defer { running.cancel() }
        try #require(await eventually { time.sleepers > 0 }, "the clock ticks on the clock it was given")
        let expired = Mutex<[String]>([])
        _ = deadlines.watch(for: .seconds(5)) { expired.withLock { $0.append("five") } }
        let forgotten = deadlines.watch(for: .seconds(6)) { expired.withLock { $0.append("six") } }
        time.advance(by: .seconds(4))
        try await Task.sleep(for: .milliseconds(100))
        #expect(expired.withLock { $0 }.isEmpty, "nothing is due at 4 s")
        time.advance(by: .seconds(1))
        #expect(await eventually { expired.withLock { $0 } == ["five"] })
        deadlines.forget(forgotten)
        time.advance(by: .seconds(10))
        try await Task.sleep(for: .milliseconds(100))
        #expect(expired.withLock { $0 } == ["five"])
    }

    @Test func withoutAHostTheFirstDeadlineStartsATickerOfItsOwn() async throws {
        let expired = await withCheckedContinuation { done in
            _ = DeadlineClock.process.watch(for: .milliseconds(50)) { done.resume(returning: true) }
        }
        #expect(expired)
    }
}

/// A clock that moves only when told: sleepers wake when it passes their deadline, or when
/// their task is cancelled.
final class SteppedClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleeping: [UInt64: (until: Instant, wake: CheckedContinuation<Void, any Error>)] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }
    var sleepers: Int { state.withLock { $0.sleeping.count } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (wake: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { state -> Bool in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleeping[id] = (deadline, wake)
                    return false
                }
                if ready { wake.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleeping.removeValue(forKey: id) }?.wake.resume(throwing: CancellationError())
        }
    }

    func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let due = state.sleeping.filter { $0.value.until <= state.now }
            for id in due.keys { state.sleeping.removeValue(forKey: id) }
            return due.values.map(\.wake)
        }
        woken.forEach { $0.resume() }
    }
}
