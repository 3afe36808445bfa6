import Contracts

/// How a payment settles a loan: the outstanding fees first, then instalment by instalment in
/// order, each one's interest before its principal. Paying ahead settles later instalments as
/// scheduled (pre-closure is how to stop future interest). Pure; unit tested.
enum PaymentAllocation {
    struct Owed: Sendable, Equatable {
        let number: Int
        let interest: Money
        let principal: Money
    }

    struct Result: Sendable, Equatable {
        var fees = Money.zero
        var interest = Money.zero
        var principal = Money.zero
        /// Per instalment: what this payment put towards its interest and principal.
        var settled: [Int: (interest: Money, principal: Money)] = [:]

        static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.fees == rhs.fees && lhs.interest == rhs.interest && lhs.principal == rhs.principal
                && lhs.settled.keys == rhs.settled.keys
                && lhs.settled.allSatisfy { key, value in rhs.settled[key].map { $0 == value } == true }
        }
    }

    /// Everything owed, the most one payment may be.
    static func total(fees: Money, owed: [Owed]) -> Money {
        owed.reduce(fees) { $0 + $1.interest + $1.principal }
    }

    static func allocate(_ amount: Money, fees: Money, owed: [Owed]) -> Result {
        var remaining = amount
        var result = Result()
        func take(_ due: Money) -> Money {
            let part = min(due, remaining)
            remaining = remaining - part
            return part
        }
        result.fees = take(fees)
        for instalment in owed.sorted(by: { $0.number < $1.number }) where remaining > .zero {
            let interest = take(instalment.interest)
            let principal = take(instalment.principal)
            if interest > .zero || principal > .zero {
                result.settled[instalment.number] = (interest, principal)
                result.interest = result.interest + interest
                result.principal = result.principal + principal
            }
        }
        return result
    }
}
