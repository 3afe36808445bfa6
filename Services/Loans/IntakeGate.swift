import Contracts
import Persistence
import PostgresNIO
import Synchronization

/// Keeps intake from outrunning the credit pipeline. Submissions are cheap and the pipeline
/// behind them (a workflow, an analysis, a first approver) is not: offered more than it carries,
/// the backlog would grow without limit and every accepted application would wait longer and
/// longer. Past `limit` applications stored but not yet at their first approver (`submitted` or
/// `under_analysis`), a submission is refused with `503` and `Retry-After`; the client retries
/// with its `Idempotency-Key` and nothing is stored meanwhile.
///
/// The backlog is counted at most every `refreshEvery`, so a submission usually costs nothing
/// here; every replica counts the same rows, so the bound holds for the whole service.
final class IntakeGate: Sendable {
    let limit: Int
    let retryAfter: Int
    private let refreshEvery: Duration
    private struct Count {
        var backlog = 0
        var countedAt: ContinuousClock.Instant?
    }
    private let count = Mutex(Count())

    init(limit: Int, retryAfter: Int, refreshEvery: Duration = .milliseconds(250)) {
        self.limit = limit
        self.retryAfter = retryAfter
        self.refreshEvery = refreshEvery
    }

    /// Throws the `503` when the backlog is at its bound. Counts on the caller's transaction.
    func admit(_ database: Database, on connection: PostgresConnection) async throws {
        let now = ContinuousClock.now
        var (backlog, recount) = count.withLock { count -> (Int, Bool) in
            if let countedAt = count.countedAt, now - countedAt < refreshEvery { return (count.backlog, false) }
            count.countedAt = now  // one caller recounts; the others go on with the last count
            return (count.backlog, true)
        }
        if recount {
            let rows = try await database.query(
                "SELECT count(*)::int FROM applications WHERE status IN ('submitted', 'under_analysis')", on: connection)
            for try await counted in rows.decode(Int.self) { backlog = counted }
            count.withLock { $0.backlog = backlog }
        }
        guard backlog < limit else {
            throw Problem.unavailable(
                "\(backlog) applications are waiting for analysis; this one was not stored. Retry with the same Idempotency-Key.",
                retryAfter: retryAfter)
        }
    }
}
