import Contracts
import Foundation

/// What an approval policy may say, and what it means for one request.
enum PolicyRules {
    /// The roles a chain may name, in order of seniority.
    static let approvers: [Role] = [.analyst, .manager, .director]
    /// Risk at or above this is declined whatever the policy says: `auto_decline_risk` can be
    /// lowered, never raised above it.
    static let riskCeiling = Decimal(string: "0.75")!
    static let maximumSLAHours = 24 * 30

    static let standard = ApprovalPolicy(
        stages: [
            .init(maxAmount: Money("25000.00"), roles: [.analyst]),
            .init(maxAmount: Money("100000.00"), roles: [.analyst, .manager]),
            .init(maxAmount: nil, roles: [.analyst, .manager, .director]),
        ],
        slaHours: ["analyst": 24, "manager": 24, "director": 48], autoDeclineRisk: "0.75")

    static func problems(_ policy: ApprovalPolicy) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        if policy.stages.isEmpty { problems.append(.init(field: "stages", message: "must name at least one tier")) }
        var previous: Decimal?
        for (index, tier) in policy.stages.enumerated() {
            let field = "stages[\(index)]"
            let isLast = index == policy.stages.count - 1
            switch (tier.maxAmount, isLast) {
            case (nil, false): problems.append(.init(field: "\(field).max_amount", message: "only the last tier may be unbounded"))
            case (.some, true): problems.append(.init(field: "\(field).max_amount", message: "the last tier must be null (any amount)"))
            case (let amount?, false):
                if amount.decimal <= 0 || previous.map({ amount.decimal <= $0 }) == true {
                    problems.append(.init(field: "\(field).max_amount", message: "must be positive and larger than the tier before"))
                }
                previous = amount.decimal
            case (nil, true): break
            }
            if tier.roles.isEmpty || !tier.roles.allSatisfy(approvers.contains) {
                problems.append(.init(field: "\(field).roles", message: "must list approver roles: analyst, manager, director"))
            } else if Set(tier.roles).count != tier.roles.count {
                problems.append(.init(field: "\(field).roles", message: "may name a role once"))
            }
        }
        for role in Set(policy.stages.flatMap(\.roles)) where !(1...maximumSLAHours).contains(policy.slaHours[role.rawValue] ?? 0) {
            problems.append(.init(field: "sla_hours.\(role.rawValue)", message: "must be between 1 and \(maximumSLAHours) hours"))
        }
        for name in policy.slaHours.keys where !approvers.map(\.rawValue).contains(name) {
            problems.append(.init(field: "sla_hours.\(name)", message: "is not an approver role"))
        }
        if let risk = autoDeclineRisk(policy) {
            if risk <= 0 || risk > riskCeiling {
                problems.append(.init(field: "auto_decline_risk", message: "must be above 0 and at most 0.75"))
            }
        } else {
            problems.append(.init(field: "auto_decline_risk", message: "must be a decimal such as \"0.75\""))
        }
        return problems
    }

    static func autoDeclineRisk(_ policy: ApprovalPolicy) -> Decimal? {
        guard policy.autoDeclineRisk.wholeMatch(of: /0?\.[0-9]{1,4}|[01](\.[0-9]{1,4})?/) != nil else { return nil }
        return Decimal(string: policy.autoDeclineRisk)
    }

    /// The approval chain for `amount`: the roles of the first tier that covers it.
    static func chain(for amount: Money, under policy: ApprovalPolicy) -> [Role] {
        policy.stages.first { tier in tier.maxAmount.map { amount.decimal <= $0.decimal } ?? true }?.roles ?? approvers
    }

    static func slaHours(of role: Role, under policy: ApprovalPolicy) -> Int {
        policy.slaHours[role.rawValue] ?? 24
    }

    /// Whether a request with this risk is declined without a person.
    static func declinesAutomatically(risk: Decimal, under policy: ApprovalPolicy) -> Bool {
        risk >= min(autoDeclineRisk(policy) ?? riskCeiling, riskCeiling)
    }

    /// Who hears about a breach of a stage of `role`: the next role up.
    static func escalation(of role: Role) -> Role {
        switch role {
        case .analyst: .manager
        case .manager: .director
        default: .admin
        }
    }
}
