import Foundation

/// The credit analysis of one application: asked for by `approvals`, answered by an `analysis-worker`.
public enum AnalysisEvents {
    /// Sent to the `analysis.requests` work queue (through the events exchange).
    public struct Requested: DomainEvent, Equatable {
        public static let type = "analysis.requested.v1"
        public var applicationID: UUID
        public var customerID: UUID
        public var amount: Money
        public var termMonths: Int
        public var annualRate: Percent
        /// The monthly instalment of the requested loan (its EMI), as `loans` computed it.
        public var instalment: Money
        public var snapshot: ApplicantSnapshot
        public var requestedAt: Date

        public init(
            applicationID: UUID, customerID: UUID, amount: Money, termMonths: Int, annualRate: Percent, instalment: Money,
            snapshot: ApplicantSnapshot, requestedAt: Date
        ) {
            self.applicationID = applicationID
            self.customerID = customerID
            self.amount = amount
            self.termMonths = termMonths
            self.annualRate = annualRate
            self.instalment = instalment
            self.snapshot = snapshot
            self.requestedAt = requestedAt
        }
    }

    public enum Recommendation: String, Codable, Sendable {
        case approve, review, decline
    }

    public struct Completed: DomainEvent, Equatable {
        public static let type = "analysis.completed.v1"
        public var applicationID: UUID
        /// 300 (worst) to 900 (best).
        public var score: Int
        /// Probability of default in [0, 1], four decimals (`"0.1234"`).
        public var riskScore: String
        /// (existing debt + new instalment) / income, four decimals; null without income.
        public var dti: String?
        /// One code for every adverse factor, as a lender must give an applicant it declines.
        public var reasonCodes: [String]
        public var recommendation: Recommendation
        /// The scorecard (weights and cut-offs) this result was computed with.
        public var scorecardVersion: String
        /// Whether an external bureau score was part of it.
        public var bureauUsed: Bool
        public var completedAt: Date

        public init(
            applicationID: UUID, score: Int, riskScore: String, dti: String?, reasonCodes: [String], recommendation: Recommendation,
            scorecardVersion: String, bureauUsed: Bool, completedAt: Date
        ) {
            self.applicationID = applicationID
            self.score = score
            self.riskScore = riskScore
            self.dti = dti
            self.reasonCodes = reasonCodes
            self.recommendation = recommendation
            self.scorecardVersion = scorecardVersion
            self.bureauUsed = bureauUsed
            self.completedAt = completedAt
        }
    }
}
