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

    /// Where an event of `approvals` stands against those already applied to the application.
    enum Arrival: Equatable {
        /// The next one: apply it (if the lifecycle still allows the move).
        case inOrder
        /// One before it has not been applied yet: retry it once that one is in.
        case early
        /// Applied already (under another message id): nothing to do.
        case stale
    }

    /// Events carry the number `approvals` gave them (`ApplicationMoveEvent.sequence`); `applied`
    /// is the number of the last one applied. An event without a number (published before numbers
    /// existed) is early when its status lies further along than a move from `current` can reach.
    static func arrival(of next: ApplicationStatus, numbered sequence: Int?, at current: ApplicationStatus, applied: Int) -> Arrival {
        guard let sequence else {
            guard let here = progress[current], let there = progress[next] else { return .inOrder }
            return there > here + 1 ? .early : .inOrder
        }
        if sequence <= applied { return .stale }
        return sequence == applied + 1 ? .inOrder : .early
    }

    static func canMove(from current: ApplicationStatus, to next: ApplicationStatus) -> Bool {
        moves[current]?.contains(next) == true
    }

    /// The 409 for a move the lifecycle does not allow.
    static func refusal(from current: ApplicationStatus, to next: ApplicationStatus) -> Problem {
        .conflict("An application that is \(current.rawValue) cannot become \(next.rawValue).", slug: "illegal-transition")
    }
}
