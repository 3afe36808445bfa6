import Contracts

/// The states of a credit request and the moves between them. Pure; unit tested.
///
///     submitted → under_analysis → pending_approval ⇄ documents_requested → approved → disbursed → closed
///     rejected and withdrawn end it; withdrawing is possible until approval.
enum ApplicationLifecycle {
    static let moves: [ApplicationStatus: Set<ApplicationStatus>] = [
        .submitted: [.underAnalysis, .rejected, .withdrawn],
        .underAnalysis: [.pendingApproval, .rejected, .withdrawn],
        .pendingApproval: [.documentsRequested, .approved, .rejected, .withdrawn],
        .documentsRequested: [.pendingApproval, .rejected, .withdrawn],
        .approved: [.disbursed],
        .disbursed: [.closed],
        .rejected: [], .withdrawn: [], .closed: [],
    ]

    /// How far along the happy path a status is; ends (rejected, withdrawn, closed) have none.
    private static let progress: [ApplicationStatus: Int] = [
        .submitted: 0, .underAnalysis: 1, .pendingApproval: 2, .documentsRequested: 2, .approved: 3, .disbursed: 4,
    ]

    /// Whether `next` lies further along than a move from `current` can reach now: a decision that
    /// overtook an earlier one on the bus, worth retrying once the earlier one has been applied.
    static func isAhead(_ next: ApplicationStatus, of current: ApplicationStatus) -> Bool {
        guard let here = progress[current], let there = progress[next] else { return false }
        return there > here + 1
    }

    static func canMove(from current: ApplicationStatus, to next: ApplicationStatus) -> Bool {
        moves[current]?.contains(next) == true
    }

    /// The 409 for a move the lifecycle does not allow.
    static func refusal(from current: ApplicationStatus, to next: ApplicationStatus) -> Problem {
        .conflict("An application that is \(current.rawValue) cannot become \(next.rawValue).", slug: "illegal-transition")
    }
}
