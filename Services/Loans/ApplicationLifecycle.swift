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

    static func canMove(from current: ApplicationStatus, to next: ApplicationStatus) -> Bool {
        moves[current]?.contains(next) == true
    }

    /// The 409 for a move the lifecycle does not allow.
    static func refusal(from current: ApplicationStatus, to next: ApplicationStatus) -> Problem {
        .conflict("An application that is \(current.rawValue) cannot become \(next.rawValue).", slug: "illegal-transition")
    }
}
