import Contracts
import Foundation
import Logging
import Redis
import TestSupport
import Testing

/// Disbursement and the loan it creates, through the gateway.
@Suite struct LoanTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    /// A payment whose reply was lost (the gateway answered 504 and released its record of the
    /// key, as it does when the outcome is unknown) and that the client retries with the same
    /// Idempotency-Key is applied once: loans kept its reply with the payment.
    @Test func aPaymentRetriedAfterItsReplyWasLostIsAppliedOnce() async throws {
        let (id, client) = try await approvedApplication()
        let root = try await SuperAdmin.session.value.access
        let loanID = try #require(try await api.post("/api/v1/applications/\(id)/disburse", [:], token: root)["id"])
        let key = UUID().uuidString
        let pay = {
            try await self.api.post(
                "/api/v1/loans/\(loanID)/payments", ["amount": "300.00", "reference": "lost-reply"], token: client,
                headers: [("Idempotency-Key", key)])
        }
        let first = try await pay()
        #expect(first.status == 201, "\(first.text)")

        let redis = try RedisClient(url: TestEnvironment.require("REDIS_URL"), logger: Logger(label: "test"))
        defer { Task { try await redis.shutdown() } }
        let records = try #require(try await redis.send(["KEYS", "idempotency:*:\(key)"]).arrayValue?.compactMap(\.stringValue))
        #expect(records.count == 1)
        try await redis.delete(records)

        let retried = try await pay()
        #expect(retried.status == 201)
        #expect(retried["id"] == first["id"])
        #expect(retried.headers.first(name: "Idempotent-Replayed") == nil)  // loans replayed it, not the gateway
        let history = try await api.get("/api/v1/loans/\(loanID)/payments", token: client)
        #expect(history.json["total"] as? Int == 1)
        #expect(try await EventStoreProbe.count("loans.payment.received.v1", where: "loan_id", is: loanID) == 1)
    }

    /// A client's application of 12,000.00 over 24 months at 12 %, approved by its approver.
    private func approvedApplication() async throws -> (id: String, client: String) {
        try await approvers.approved()
    }

    @Test func anAdminDisbursesAnApprovedApplicationIntoALoan() async throws {
        let (id, client) = try await approvedApplication()
        #expect(try await api.post("/api/v1/applications/\(id)/disburse", [:], token: client).status == 403)
        let root = try await SuperAdmin.session.value.access
        let today = CalendarDateText.yearsAgo(0)
        let disbursed = try await api.post("/api/v1/applications/\(id)/disburse", ["disbursement_date": today], token: root)
        #expect(disbursed.status == 201, "\(disbursed.text)")
        #expect(disbursed["principal"] == "12000.00")
        #expect(disbursed["emi"] == "564.88")  // 12,000 at 12 % over 24 months
        #expect(disbursed["outstanding_principal"] == "12000.00")
        #expect(disbursed["outstanding_fees"] == "120.00")  // the product's 1 % processing fee
        #expect(disbursed["status"] == "active")
        #expect(disbursed["disbursed_on"] == today)
        let nextDue = try #require(disbursed.json["next_due"] as? [String: Any])
        #expect(nextDue["number"] as? Int == 1)
        #expect(nextDue["amount"] as? String == "684.88")  // the first instalment and the fee, which a payment settles first
        let loanID = try #require(disbursed["id"])

        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == "disbursed")
        #expect(try await api.post("/api/v1/applications/\(id)/disburse", [:], token: root).status == 409)
        let mine = try await api.get("/api/v1/loans", token: client)
        #expect(mine.json["total"] as? Int == 1)
        let clientID = try #require(try await api.get("/api/v1/auth/me", token: client)["id"])
        let summary = try #require(try await api.get("/api/v1/customers/\(clientID)", token: root).json["loan_summary"] as? [String: Any])
        #expect(summary["applications"] as? Int == 1)
        #expect(summary["active_loans"] as? Int == 1)
        #expect(summary["outstanding_principal"] as? String == "12000.00")
        #expect(try await api.get("/api/v1/loans/\(loanID)", token: client)["id"] == loanID)

        let schedule = try await api.get("/api/v1/loans/\(loanID)/schedule?page_size=100", token: client)
        #expect(schedule.status == 200)
        let lines = try #require(schedule.json["items"] as? [[String: Any]])
        #expect(lines.count == 24)
        #expect(schedule.headers["X-Total-Count"].first == "24")
        #expect(lines.map { $0["number"] as? Int } == (1...24).map { $0 })
        #expect(lines.allSatisfy { $0["status"] as? String == "due" })
        let repaid = lines.compactMap { ($0["principal"] as? String).flatMap { Decimal(string: $0) } }.reduce(0, +)
        #expect(repaid == 12000)
        #expect(lines.last?["balance"] as? String == "0.00")

        let stranger = try await approvers.applications.applicant()
        #expect(try await api.get("/api/v1/loans/\(loanID)", token: stranger).status == 404)
        #expect(try await api.get("/api/v1/loans/\(loanID)/schedule", token: stranger).status == 404)
    }

    @Test func onlyApprovedApplicationsAreDisbursedAndOnlyNearToday() async throws {
        let root = try await SuperAdmin.session.value.access
        let product = try await approvers.applications.product()
        let client = try await approvers.applications.applicant()
        let pending = try #require(try await approvers.applications.apply(client, product: product)["id"])
        #expect(try await api.post("/api/v1/applications/\(pending)/disburse", [:], token: root).status == 409)
        let (approved, _) = try await approvedApplication()
        let late = try await api.post("/api/v1/applications/\(approved)/disburse", ["disbursement_date": "2001-01-01"], token: root)
        #expect(late.status == 422)
        #expect(late.fieldErrors == ["disbursement_date"])
        #expect(try await api.post("/api/v1/applications/\(UUID())/disburse", [:], token: root).status == 404)
        // Without a body the loan is disbursed today.
        let today = try await api.send(.POST, "/api/v1/applications/\(approved)/disburse", token: root)
        #expect(today.status == 201)
    }

    @Test func paymentsSettleFeesThenInterestThenPrincipalAndTheLastOneClosesTheLoan() async throws {
        let (id, client) = try await approvedApplication()
        let root = try await SuperAdmin.session.value.access
        let loanID = try #require(try await api.post("/api/v1/applications/\(id)/disburse", [:], token: root)["id"])

        // The client's list is cached; their own payments must show in it at once.
        #expect(
            (try await api.get("/api/v1/loans", token: client).json["items"] as? [[String: Any]])?.first?["outstanding_fees"] as? String
                == "120.00")
        let feesOnly = try await api.post("/api/v1/loans/\(loanID)/payments", ["amount": "100.00", "reference": "bank-1"], token: client)
        #expect(feesOnly.status == 201, "\(feesOnly.text)")
        #expect(feesOnly.json["allocation"] as? [String: String] == ["fees": "100.00", "interest": "0.00", "principal": "0.00"])
        #expect(feesOnly["outstanding_principal"] == "12000.00")

        let key = UUID().uuidString
        let first = try await api.post(
            "/api/v1/loans/\(loanID)/payments", ["amount": "584.88", "reference": "bank-2"], token: client,
            headers: [("Idempotency-Key", key)])
        // 20.00 of fees left, then instalment 1: 120.00 interest (1 % of 12,000) and 444.88 principal.
        #expect(first.json["allocation"] as? [String: String] == ["fees": "20.00", "interest": "120.00", "principal": "444.88"])
        #expect(first["outstanding_principal"] == "11555.12")
        let listed = try #require((try await api.get("/api/v1/loans", token: client).json["items"] as? [[String: Any]])?.first)
        #expect(listed["outstanding_principal"] as? String == "11555.12")
        #expect(listed["outstanding_fees"] as? String == "0.00")
        let retried = try await api.post(
            "/api/v1/loans/\(loanID)/payments", ["amount": "584.88", "reference": "bank-2"], token: client,
            headers: [("Idempotency-Key", key)])
        #expect(retried["id"] == first["id"])

        let schedule = try #require(
            try await api.get("/api/v1/loans/\(loanID)/schedule?page_size=100", token: client).json["items"] as? [[String: Any]])
        #expect(schedule.first?["status"] as? String == "paid")
        #expect(schedule.dropFirst().first?["status"] as? String == "due")
        let rest = schedule.dropFirst().compactMap { ($0["payment"] as? String).flatMap { Decimal(string: $0) } }.reduce(0, +)

        let tooMuch = try await api.post(
            "/api/v1/loans/\(loanID)/payments", ["amount": "\(rest + 1)", "reference": "bank-x"], token: client)
        #expect(tooMuch.status == 422)
        #expect(try await api.post("/api/v1/loans/\(loanID)/payments", ["amount": 10, "reference": "x"], token: client).status == 422)
        let stranger = try await approvers.applications.applicant()
        #expect(
            try await api.post("/api/v1/loans/\(loanID)/payments", ["amount": "1.00", "reference": "x"], token: stranger).status == 404)
        let history = try await api.get("/api/v1/loans/\(loanID)/payments", token: root)
        #expect(history.json["total"] as? Int == 2)

        let restText = Money(rest).description
        let last = try await api.post("/api/v1/loans/\(loanID)/payments", ["amount": restText, "reference": "bank-final"], token: client)
        #expect(last.status == 201)
        #expect(last["outstanding_principal"] == "0.00")
        let closed = try await api.get("/api/v1/loans/\(loanID)", token: client)
        #expect(closed["status"] == "closed")
        #expect(closed.json["next_due"] == nil || closed.json["next_due"] is NSNull)
        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == "closed")
        #expect(
            try await api.post("/api/v1/loans/\(loanID)/payments", ["amount": "1.00", "reference": "late"], token: client).status == 409)
    }

    @Test func aLoanClosesEarlyForExactlyTodaysQuote() async throws {
        let (id, client) = try await approvedApplication()
        let root = try await SuperAdmin.session.value.access
        let loanID = try #require(try await api.post("/api/v1/applications/\(id)/disburse", [:], token: root)["id"])
        let quote = try await api.get("/api/v1/loans/\(loanID)/pre-closure-quote", token: client)
        #expect(quote.status == 200)
        #expect(quote["outstanding_principal"] == "12000.00")
        #expect(quote["accrued_interest"] == "0.00")  // disbursed today: no day has passed
        #expect(quote["fee"] == "360.00")  // 2 % prepayment fee on 12,000 plus the unpaid 1 % processing fee
        #expect(quote["total"] == "12360.00")
        #expect(quote["valid_until"] == CalendarDateText.yearsAgo(0))

        let short = try await api.post("/api/v1/loans/\(loanID)/pre-close", ["amount": "12359.99", "reference": "early"], token: client)
        #expect(short.status == 422)
        #expect(short.fieldErrors == ["amount"])
        let closed = try await api.post("/api/v1/loans/\(loanID)/pre-close", ["amount": "12360.00", "reference": "early"], token: client)
        #expect(closed.status == 200)
        #expect(closed["status"] == "closed")
        #expect(closed["outstanding_principal"] == "0.00")
        #expect(closed.json["next_due"] is NSNull, "a closed loan owes nothing next: \(closed.text)")
        let schedule = try #require(
            try await api.get("/api/v1/loans/\(loanID)/schedule?page_size=100", token: client).json["items"] as? [[String: Any]])
        #expect(schedule.allSatisfy { $0["status"] as? String == "paid" })
        #expect(try await api.get("/api/v1/applications/\(id)", token: client)["status"] == "closed")
        #expect(try await api.get("/api/v1/loans/\(loanID)/pre-closure-quote", token: client).status == 409)
    }

    @Test func instalmentsPastTheirDueDateAreMarkedOverdueOnce() async throws {
        let (id, client) = try await approvedApplication()
        let root = try await SuperAdmin.session.value.access
        let ninetyDaysAgo = CalendarDateText.daysAgo(90)
        let loan = try await api.post("/api/v1/applications/\(id)/disburse", ["disbursement_date": ninetyDaysAgo], token: root)
        let loanID = try #require(loan["id"])
        let schedule = try #require(try await api.get("/api/v1/loans/\(loanID)/schedule", token: client).json["items"] as? [[String: Any]])
        #expect(schedule.prefix(2).allSatisfy { $0["status"] as? String == "overdue" })
        // The sweeper (every second on the test stack) says so once per instalment.
        for number in ["1", "2"] {
            #expect(
                try await EventStoreProbe.count("loans.instalment.overdue.v1", where: "loan_id", is: loanID, and: ["number": number]) == 1)
        }
        try await Task.sleep(for: .seconds(2))  // more sweeps come and go
        #expect(try await EventStoreProbe.count("loans.instalment.overdue.v1", where: "loan_id", is: loanID, and: ["number": "1"]) == 1)
    }
}
