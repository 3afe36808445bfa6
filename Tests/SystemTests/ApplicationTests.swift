import Foundation
import TestSupport
import Testing

/// Credit requests through the gateway: submission rules, listing, detail, withdrawal.
@Suite struct ApplicationTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    /// An active product lending 1,000–50,000 over 6–60 months. Its required documents block the
    /// final approval, so by default it needs none.
    func product(minAmount: String = "1000.00", maxAmount: String = "50000.00", requiredDocuments: [String] = []) async throws -> String {
        let root = try await SuperAdmin.session.value.access
        let reply = try await api.post(
            "/api/v1/products",
            [
                "name": "Test \(UUID().uuidString.prefix(6))", "type": "personal", "min_amount": minAmount, "max_amount": maxAmount,
                "min_term_months": 6, "max_term_months": 60, "annual_rate": "12.00", "processing_fee_percent": "1.00",
                "prepayment_fee_percent": "2.00", "required_documents": requiredDocuments,
            ], token: root)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"])
    }

    /// A client whose profile and finances are complete: salaried for 4 years, 250.00 of debt.
    func applicant(income: String = "6000.00") async throws -> String {
        let token = try await accounts.login(try await accounts.activeClient()).access
        for (section, body) in [
            ("profile", CustomerTests.profile),
            ("financial", ["monthly_income": income, "monthly_expenses": "2000.00", "existing_monthly_debt": "250.00"]),
            ("employment", ["employment_type": "salaried", "employer": "Acme", "years_employed": 4]),
        ] as [(String, [String: Any])] {
            let data = try JSONSerialization.data(withJSONObject: body)
            let reply = try await api.send(.PUT, "/api/v1/me/\(section)", body: String(decoding: data, as: UTF8.self), token: token)
            try #require(reply.status == 200, "\(section): \(reply.text)")
        }
        return token
    }

    /// A new applicant's freshly submitted application on a new product.
    func submitted() async throws -> (id: UUID, client: String) {
        let product = try await product()
        let client = try await applicant()
        let id = try #require(try await apply(client, product: product)["id"].flatMap(UUID.init(uuidString:)))
        return (id, client)
    }

    func apply(_ token: String, product: String, amount: String = "12000.00", term: Int = 24, key: String? = nil) async throws -> API.Reply
    {
        try await api.post(
            "/api/v1/applications", ["product_id": product, "amount": amount, "term_months": term, "purpose": "A used car"],
            token: token, headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    @Test func aClientAppliesAndFollowsTheApplication() async throws {
        let product = try await product(requiredDocuments: ["govt_id", "income_proof"])
        let client = try await applicant()
        let key = UUID().uuidString
        let submitted = try await apply(client, product: product, key: key)
        #expect(submitted.status == 202)
        #expect(submitted["status"] == "submitted")
        #expect(submitted["amount"] == "12000.00")
        #expect(submitted.json["missing_documents"] as? [String] == ["govt_id", "income_proof"])
        let id = try #require(submitted["id"])
        // A retry with the same key is the same application, not a second one.
        let retried = try await apply(client, product: product, key: key)
        #expect(retried["id"] == id)

        let detail = try await api.get("/api/v1/applications/\(id)", token: client)
        #expect(detail.status == 200)
        #expect((detail.json["timeline"] as? [[String: Any]])?.first?["status"] as? String == "submitted")
        #expect(detail.headers["ETag"].first == "\"\(try #require(detail.json["version"] as? Int))\"")
        let mine = try await api.get("/api/v1/applications", token: client)
        #expect(mine.json["total"] as? Int == 1)
        #expect(mine.headers["X-Total-Count"].first == "1")

        let withdrawn = try await api.send(.POST, "/api/v1/applications/\(id)/withdraw", token: client)
        #expect(withdrawn.status == 200)
        #expect(withdrawn["status"] == "withdrawn")
        // The client's list is cached, and their own withdrawal shows in it at once.
        let after = try await api.get("/api/v1/applications", token: client)
        #expect((after.json["items"] as? [[String: Any]])?.first?["status"] as? String == "withdrawn")
        #expect((withdrawn.json["timeline"] as? [[String: Any]])?.last?["status"] as? String == "withdrawn")
        let again = try await api.send(.POST, "/api/v1/applications/\(id)/withdraw", token: client)
        #expect(again.status == 409)
    }

    @Test func submissionChecksTheFileAndTheProductLimits() async throws {
        let product = try await product()
        let stranger = try await accounts.login(try await accounts.activeClient()).access
        let incomplete = try await apply(stranger, product: product)
        #expect(incomplete.status == 422)
        #expect(Set(incomplete.fieldErrors) == ["profile", "financial"])

        let client = try await applicant()
        #expect(try await apply(client, product: product, amount: "999.99").fieldErrors == ["amount"])
        #expect(try await apply(client, product: product, amount: "50000.01").fieldErrors == ["amount"])
        #expect(try await apply(client, product: product, term: 61).fieldErrors == ["term_months"])
        #expect(try await apply(client, product: UUID().uuidString).fieldErrors == ["product_id"])
        #expect(try await apply(client, product: product, amount: "12,000").status == 422)
        let staff = try await SuperAdmin.session.value.access
        #expect(try await apply(staff, product: product).status == 403)
    }

    @Test func othersCannotSeeOrWithdrawSomeoneElsesApplication() async throws {
        let product = try await product()
        let owner = try await applicant()
        let id = try #require(try await apply(owner, product: product)["id"])
        let other = try await applicant()
        #expect(try await api.get("/api/v1/applications/\(id)", token: other).status == 404)
        #expect(try await api.send(.POST, "/api/v1/applications/\(id)/withdraw", token: other).status == 404)
        #expect((try await api.get("/api/v1/applications", token: other).json["total"] as? Int) == 0)
        let root = try await SuperAdmin.session.value.access
        #expect(try await api.get("/api/v1/applications/\(id)", token: root).status == 200)
    }

    @Test func staffListWithEveryFilterAndSort() async throws {
        let product = try await product()
        let client = try await applicant()
        var ids: [String] = []
        for amount in ["3000.00", "9000.00", "15000.00"] {
            let reply = try await apply(client, product: product, amount: amount)
            try #require(reply.status == 202)
            ids.append(try #require(reply["id"]))
        }
        #expect(try await api.send(.POST, "/api/v1/applications/\(ids[0])/withdraw", token: client).status == 200)
        let root = try await SuperAdmin.session.value.access
        let base = "/api/v1/applications?product_id=\(product)"
        let ascending = try await api.get(base + "&sort=amount", token: root)
        #expect(
            (ascending.json["items"] as? [[String: Any]])?.compactMap { $0["amount"] as? String } == ["3000.00", "9000.00", "15000.00"])
        let descending = try await api.get(base + "&sort=-amount&page_size=2", token: root)
        #expect((descending.json["items"] as? [[String: Any]])?.compactMap { $0["amount"] as? String } == ["15000.00", "9000.00"])
        #expect(descending.headers["X-Total-Count"].first == "3")
        let window = try await api.get(base + "&min_amount=5000&max_amount=10000", token: root)
        #expect(window.json["total"] as? Int == 1)
        let today = CalendarDateText.yearsAgo(0)
        #expect(try await api.get(base + "&from=\(today)&to=\(today)", token: root).json["total"] as? Int == 3)
        #expect(try await api.get(base + "&status=withdrawn", token: root).json["total"] as? Int == 1)
        #expect(try await api.get(base + "&to=2000-01-01", token: root).json["total"] as? Int == 0)
        for bad in ["status=lost", "sort=size", "from=yesterday", "min_amount=-1", "customer_id=me", "page=0"] {
            #expect(try await api.get(base + "&" + bad, token: root).status == 422, "\(bad)")
        }
    }
}
