import Foundation
import Testing

/// Applications and repayments sent through the gateway at a steady pace while a fault strikes,
/// as client apps send them: every request carries an Idempotency-Key, and while the answer is a
/// 5xx, a 429, a 409 "still being processed" or no answer at all, it is sent again with the same
/// key until the gateway accepts it (2xx). With several gateways, requests take turns among them
/// and a request sent again goes to the next one, as a load balancer passes over a dead replica.
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
        /// When each acceptance came, and when the fault struck.
        var acceptedAt: [ContinuousClock.Instant] = []
        var faultStruckAt: ContinuousClock.Instant?

        /// From the fault to the first acceptance after it (nil: none came).
        var firstAcceptanceAfterFault: Duration? {
            guard let struck = faultStruckAt else { return nil }
            return acceptedAt.filter { $0 > struck }.min().map { $0 - struck }
        }

        /// The longest time, from the fault on, that no request was accepted: the outage as the
        /// clients saw it.
        var longestWithoutAcceptance: Duration {
            guard let struck = faultStruckAt else { return .zero }
            let times = [struck] + acceptedAt.filter { $0 > struck }.sorted()
            return zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .zero
        }
    }

    let gateways: [API]
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
            if let reply = try await send(
                &accepted, first: index,
                { api, key in
                    try await api.post(
                        "/api/v1/applications", ["product_id": product, "amount": "12000.00", "term_months": 24, "purpose": "A used car"],
                        token: client, headers: [("Idempotency-Key", key)])
                }), let id = reply["id"]
            {
                accepted.applications.append((id, client))
            }
        }
        async let payments = lane(until: end) { index, accepted in
            let loan = loans[index % loans.count]
            if let reply = try await send(
                &accepted, first: index,
                { api, key in
                    try await api.post(
                        "/api/v1/loans/\(loan.id)/payments", ["amount": "1.00", "reference": "steady-\(index)"],
                        token: loan.client, headers: [("Idempotency-Key", key)])
                }), let id = reply["id"]
            {
                accepted.payments.append((id, loan.id))
            }
        }
        try await Task.sleep(for: faultAfter)
        let struck = ContinuousClock.now
        try await fault()
        var accepted = try await applications
        let paid = try await payments
        accepted.payments = paid.payments
        accepted.resends += paid.resends
        accepted.unexpected += paid.unexpected
        accepted.refusals.merge(paid.refusals, uniquingKeysWith: +)
        accepted.acceptedAt += paid.acceptedAt
        accepted.faultStruckAt = struck
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
    private func send(
        _ accepted: inout Accepted, first: Int, _ request: (API, String) async throws -> API.Reply
    ) async throws -> API.Reply? {
        let key = UUID().uuidString
        let giveUp = ContinuousClock.now + .seconds(120)
        var attempt = first
        while ContinuousClock.now < giveUp {
            let status: Int
            defer { attempt += 1 }
            do {
                let reply = try await request(gateways[attempt % gateways.count], key)
                if (200..<300).contains(reply.status) {
                    accepted.acceptedAt.append(.now)
                    return reply
                }
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
