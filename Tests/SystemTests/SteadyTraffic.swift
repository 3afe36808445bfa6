import Foundation
import Testing

/// Applications and repayments sent through the gateway at a steady pace while a fault strikes,
/// as client apps send them: every request carries an Idempotency-Key, and while the answer is a
/// 5xx, a 429, a 409 "still being processed" or no answer at all, it is sent again with the same
/// key until the gateway accepts it (2xx).
struct SteadyTraffic {
    /// What the gateway accepted, and what it took.
    struct Accepted {
        var applications: [(id: String, client: String)] = []
        var payments: [(id: String, loan: String)] = []
        /// Requests sent again after a refusal or a lost answer.
        var resends = 0
        /// Answers other than acceptance or a passing refusal (a test failure).
        var unexpected: [String] = []
        /// How the gateway answered before accepting: status (0: no answer) → how often.
        var refusals: [Int: Int] = [:]
    }

    let api: API
    let product: String
    let clients: [String]
    let loans: [(id: String, client: String)]
    /// One request per lane every `pace`.
    let pace: Duration = .milliseconds(250)

    /// Sends applications and payments for `duration`, running `fault` once `faultAfter` has passed.
    func run(for duration: Duration, faultAfter: Duration, fault: @escaping @Sendable () async throws -> Void) async throws -> Accepted {
        let end = ContinuousClock.now + duration
        async let applications = lane(until: end) { index, accepted in
            let client = clients[index % clients.count]
            if let reply = try await send(&accepted, {
                try await api.post(
                    "/api/v1/applications", ["product_id": product, "amount": "12000.00", "term_months": 24, "purpose": "A used car"],
                    token: client, headers: [("Idempotency-Key", $0)])
            }), let id = reply["id"] {
                accepted.applications.append((id, client))
            }
        }
        async let payments = lane(until: end) { index, accepted in
            let loan = loans[index % loans.count]
            if let reply = try await send(&accepted, {
                try await api.post(
                    "/api/v1/loans/\(loan.id)/payments", ["amount": "1.00", "reference": "steady-\(index)"],
                    token: loan.client, headers: [("Idempotency-Key", $0)])
            }), let id = reply["id"] {
                accepted.payments.append((id, loan.id))
            }
        }
        try await Task.sleep(for: faultAfter)
        try await fault()
        var accepted = try await applications
        let paid = try await payments
        accepted.payments = paid.payments
        accepted.resends += paid.resends
        accepted.unexpected += paid.unexpected
        accepted.refusals.merge(paid.refusals, uniquingKeysWith: +)
        return accepted
    }

    private func lane(until end: ContinuousClock.Instant, _ step: (Int, inout Accepted) async throws -> Void) async throws -> Accepted {
        var accepted = Accepted()
        var index = 0
        while ContinuousClock.now < end {
            let next = ContinuousClock.now + pace
            try await step(index, &accepted)
            index += 1
            try await Task.sleep(until: next)
        }
        return accepted
    }

    /// Sends `request` with a fresh key until it is accepted (its reply) or refused for good (nil,
    /// recorded as unexpected); gives up after two minutes of passing refusals.
    private func send(_ accepted: inout Accepted, _ request: (String) async throws -> API.Reply) async throws -> API.Reply? {
        let key = UUID().uuidString
        let giveUp = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < giveUp {
            let status: Int
            do {
                let reply = try await request(key)
                if (200..<300).contains(reply.status) { return reply }
                guard reply.status >= 500 || reply.status == 429 || reply["type"] == "/problems/idempotency-in-progress" else {
                    accepted.unexpected.append("\(reply.status) \(reply.text)")
                    return nil
                }
                status = reply.status
            } catch {
                status = 0  // no answer: the connection failed or timed out
            }
            accepted.refusals[status, default: 0] += 1
            accepted.resends += 1
            try await Task.sleep(for: .milliseconds(250))
        }
        accepted.unexpected.append("no acceptance in two minutes")
        return nil
    }
}
