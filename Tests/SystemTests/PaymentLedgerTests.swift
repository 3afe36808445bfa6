import Foundation
import TestSupport
import Testing

/// `GET /payments` across loans, what a client owes next, and the lists as CSV.
@Suite struct PaymentLedgerTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    /// A disbursed loan of 12,000.00 (120.00 processing fee) and its borrower.
    private func disbursedLoan() async throws -> (loanID: String, client: String) {
        let (id, client) = try await approvers.approved()
        let root = try await SuperAdmin.session.value.access
        let loan = try await api.post("/api/v1/applications/\(id)/disburse", [:], token: root)
        try #require(loan.status == 201, "\(loan.text)")
        return (try #require(loan["id"]), client)
    }

    @Test func payingWhatIsShownAsDueSettlesTheFirstInstalment() async throws {
        let (loanID, client) = try await disbursedLoan()
        let due = try #require(try await api.get("/api/v1/loans/\(loanID)", token: client).json["next_due"] as? [String: Any])
        let amount = try #require(due["amount"] as? String)
        #expect(amount == "684.88")  // 564.88 instalment + 120.00 fee
        let paid = try await api.post(
            "/api/v1/loans/\(loanID)/payments", ["amount": amount, "reference": "first instalment"], token: client,
            headers: [("Idempotency-Key", UUID().uuidString)])
        #expect(paid.status == 201, "\(paid.text)")
        let schedule = try #require(try await api.get("/api/v1/loans/\(loanID)/schedule", token: client).json["items"] as? [[String: Any]])
        #expect(schedule.first?["status"] as? String == "paid")
        let next = try #require(try await api.get("/api/v1/loans/\(loanID)", token: client).json["next_due"] as? [String: Any])
        #expect(next["number"] as? Int == 2)
        #expect(next["amount"] as? String == "564.88")
    }

    @Test func theLedgerShowsStaffEveryPaymentAndAClientTheirOwn() async throws {
        let (firstLoan, firstClient) = try await disbursedLoan()
        let (secondLoan, secondClient) = try await disbursedLoan()
        var paymentIDs: [String] = []
        for (loan, client, amount) in [
            (firstLoan, firstClient, "300.00"), (firstLoan, firstClient, "200.00"), (secondLoan, secondClient, "150.00"),
        ] {
            let paid = try await api.post(
                "/api/v1/loans/\(loan)/payments", ["amount": amount, "reference": "ledger \(amount)"], token: client,
                headers: [("Idempotency-Key", UUID().uuidString)])
            try #require(paid.status == 201, "\(paid.text)")
            paymentIDs.append(try #require(paid["id"]))
        }

        let own = try await api.get("/api/v1/payments", token: firstClient)
        #expect(own.status == 200)
        let ownItems = try #require(own.json["items"] as? [[String: Any]])
        #expect(ownItems.map { $0["amount"] as? String } == ["200.00", "300.00"])  // newest first
        #expect(own.headers["X-Total-Count"].first == "2")
        #expect(ownItems.allSatisfy { $0["loan_id"] as? String == firstLoan })
        // A client's customer_id filter cannot reach someone else's payments.
        let secondID = try #require(try await api.get("/api/v1/auth/me", token: secondClient)["id"])
        #expect(try await api.get("/api/v1/payments?customer_id=\(secondID)", token: firstClient).json["total"] as? Int == 2)

        let root = try await SuperAdmin.session.value.access
        let byLoan = try await api.get("/api/v1/payments?loan_id=\(secondLoan)", token: root)
        #expect((byLoan.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [paymentIDs[2]])
        let byCustomer = try await api.get("/api/v1/payments?customer_id=\(secondID)&from=\(CalendarDateText.yearsAgo(0))", token: root)
        #expect(byCustomer.json["total"] as? Int == 1)
        #expect(
            try await api.get("/api/v1/payments?to=\(CalendarDateText.daysAgo(1))&loan_id=\(firstLoan)", token: root).json["total"] as? Int
                == 0)

        let one = try await api.get("/api/v1/payments/\(paymentIDs[2])", token: secondClient)
        #expect(one.status == 200)
        #expect(one["amount"] == "150.00")
        #expect(one["customer_id"] == secondID)
        #expect(try await api.get("/api/v1/payments/\(paymentIDs[2])", token: firstClient).status == 404)
        #expect(try await api.get("/api/v1/payments/\(UUID().uuidString)", token: root).status == 404)
        #expect(try await api.get("/api/v1/payments?loan_id=nope", token: root).fieldErrors == ["loan_id"])
    }

    @Test func listsAnswerCSVWithEveryPageAndTheSameFilters() async throws {
        let (loanID, client) = try await disbursedLoan()
        for amount in ["100.00", "110.00", "120.00"] {
            let paid = try await api.post(
                "/api/v1/loans/\(loanID)/payments", ["amount": amount, "reference": "csv, \"quoted\""], token: client,
                headers: [("Idempotency-Key", UUID().uuidString)])
            try #require(paid.status == 201)
        }
        let csv = try await api.send(.GET, "/api/v1/payments?page_size=1", token: client, headers: [("Accept", "text/csv")])
        #expect(csv.status == 200)
        #expect(csv.headers["Content-Type"].first?.hasPrefix("text/csv") == true)
        let lines = csv.text.split(separator: "\r\n").map(String.init)
        #expect(
            lines.first
                == "id,loan_id,customer_id,amount,reference,allocation_fees,allocation_interest,allocation_principal,outstanding_principal,created_at"
        )
        #expect(lines.count == 4, "every page, not the one asked for: \(csv.text)")
        #expect(lines.dropFirst().allSatisfy { $0.contains(",\"csv, \"\"quoted\"\"\",") })
        #expect(lines[1].contains(",120.00,"))

        let root = try await SuperAdmin.session.value.access
        let loans = try await api.send(
            .GET, "/api/v1/loans?customer_id=\(try #require(try await api.get("/api/v1/auth/me", token: client)["id"]))", token: root,
            headers: [("Accept", "text/csv")])
        let loanLines = loans.text.split(separator: "\r\n")
        #expect(loanLines.count == 2)
        #expect(loanLines.last?.hasPrefix(Substring(loanID)) == true)
        let applications = try await api.send(
            .GET, "/api/v1/applications?status=disbursed&page_size=2", token: client, headers: [("Accept", "text/csv")])
        #expect(applications.text.split(separator: "\r\n").count == 2)
        #expect(applications.text.hasPrefix("id,customer_id,product_id,amount,term_months,purpose,status,risk_score,"))
        // Staff get the analysis's risk score in its column, as in the JSON list.
        let clientID = try #require(try await api.get("/api/v1/auth/me", token: client)["id"])
        let staffExport = try await api.send(
            .GET, "/api/v1/applications?status=disbursed&customer_id=\(clientID)", token: root, headers: [("Accept", "text/csv")])
        let exported = try #require(staffExport.text.split(separator: "\r\n").dropFirst().first).split(
            separator: ",", omittingEmptySubsequences: false)
        #expect(exported.count == 10 && Double(exported[7]) != nil, "a risk score in the eighth column: \(staffExport.text)")
        // A refusal is still a problem, not a file.
        let refused = try await api.send(.GET, "/api/v1/applications?status=nope", token: client, headers: [("Accept", "text/csv")])
        #expect(refused.status == 422)

        let portfolio = try await api.send(.GET, "/api/v1/reports/portfolio", token: root, headers: [("Accept", "text/csv")])
        #expect(portfolio.status == 200)
        #expect(portfolio.text.hasPrefix("figure,value\r\n"))
        #expect(portfolio.text.contains("\r\ntotal,"))
    }
}
