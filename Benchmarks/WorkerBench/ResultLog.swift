import Contracts
import Foundation
import Synchronization

/// When each of this round's requests went out and when its result came back. Results of other
/// applications (a dev stack's, an earlier round's) arrive on the same routing key and are ignored.
final class ResultLog: Sendable {
    struct Snapshot {
        /// Request → result, in the order the results came.
        var latencies: [Duration] = []
        var withBureauScore = 0
        var lastResult: ContinuousClock.Instant?
    }

    private struct State {
        var sent: [UUID: ContinuousClock.Instant] = [:]
        var snapshot = Snapshot()
    }

    private let state = Mutex(State())

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Forgets the previous round.
    func reset() {
        state.withLock { $0 = State() }
    }

    func sent(_ applications: [UUID], at instant: ContinuousClock.Instant) {
        state.withLock { state in
            for application in applications { state.sent[application] = instant }
        }
    }

    func received(_ result: AnalysisEvents.Completed, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            guard let sent = state.sent.removeValue(forKey: result.applicationID) else { return }
            state.snapshot.latencies.append(instant - sent)
            state.snapshot.withBureauScore += result.bureauUsed ? 1 : 0
            state.snapshot.lastResult = instant
        }
    }
}
