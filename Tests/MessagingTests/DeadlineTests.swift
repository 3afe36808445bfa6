import Messaging
import Synchronization
import Testing

/// `withDeadline` answers its caller at the deadline, whatever the operation does.
@Suite struct DeadlineTests {
    @Test func anOperationInTimeGivesItsValue() async throws {
        let value = try await withDeadline(.seconds(10)) { 42 }
        #expect(value == 42)
    }

    @Test func anOperationsErrorReachesTheCaller() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(10)) { throw Refused() } }
    }

    @Test func anOperationThatHonoursCancellationIsCancelledAtTheDeadline() async throws {
        let sawCancellation = Gate()
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) {
                do { try await Task.sleep(for: .seconds(60)) } catch { sawCancellation.open() }
            }
        }
        await sawCancellation.passed()
    }

    /// The case it exists for: an await that never answers cancellation (a future's `get()` on a
    /// connection that closed under it). A task group would wait for it forever.
    @Test func anOperationThatIgnoresCancellationIsAbandonedAtTheDeadline() async throws {
        let neverAnswered = Gate()
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) { await neverAnswered.passed() }
        }
        neverAnswered.open()
    }

    /// One clock serves every deadline of the process: each of many at once still fires, and
    /// those met in time give their values.
    @Test func manyDeadlinesAtOnceEachFire() async throws {
        let neverAnswered = Gate()
        let outcomes = await withTaskGroup(of: String.self) { group in
            for number in 0..<200 {
                group.addTask {
                    do {
                        // The answered ones get a minute: on a busy machine a task can wait
                        // longer than 50 ms to start.
                        let stuck = number.isMultiple(of: 2)
                        return try await withDeadline(stuck ? .milliseconds(50 + number % 7) : .seconds(60)) {
                            if stuck { await neverAnswered.passed() }
                            return "value"
                        }
                    } catch {
                        return error is DeadlineExceeded ? "deadline" : "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        neverAnswered.open()
        #expect(outcomes == ["value": 100, "deadline": 100])
    }

    @Test func theOperationSeesTheCallersTaskLocals() async throws {
        let seen = try await Trace.$name.withValue("request-7") {
            try await withDeadline(.seconds(10)) { Trace.name }
        }
        #expect(seen == "request-7")
    }

    @Test func cancellingTheCallerEndsTheWaitAtOnce() async throws {
        let neverAnswered = Gate()
        let caller = Task { try await withDeadline(.seconds(60)) { await neverAnswered.passed() } }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        neverAnswered.open()
    }
}

private enum Trace {
    @TaskLocal static var name = "none"
}

/// Waiters pass once it is open; waiting does not answer cancellation.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func passed() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
        }
    }
}
