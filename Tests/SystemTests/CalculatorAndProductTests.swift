import Foundation
import TestSupport
import Testing

/// The calculators and the product catalogue, through the gateway.
@Suite struct CalculatorAndProductTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    private func newProduct(_ overrides: [String: Any] = [:], token: String) async throws -> API.Reply {
        var body: [String: Any] = [
            "name": "Personal \(UUID().uuidString.prefix(6))", "type": "personal", "min_amount": "1000.00",
            "max_amount": "50000.00", "min_term_months": 6, "max_term_months": 60, "annual_rate": "11.50",
            "processing_fee_percent": "1.00", "prepayment_fee_percent": "2.00",
            "required_documents": ["govt_id", "income_proof"],
        ]
        body.merge(overrides) { $1 }
        return try await api.post("/api/v1/products", body, token: token)
    }

    @Test func theEMICalculatorGivesTheAnnuityAndItsSchedule() async throws {
        let reply = try await api.post(
            "/api/v1/calculators/emi", ["principal": "100000.00", "annual_rate": "12.00", "term_months": 12, "include_schedule": true])
        #expect(reply.status == 200)
        #expect(reply["emi"] == "8884.88")
        let schedule = try #require(reply.json["schedule"] as? [[String: Any]])
        #expect(schedule.count == 12)
        #expect(schedule.first?["interest"] as? String == "1000.00")
        #expect(schedule.last?["balance"] as? String == "0.00")
        let principal = schedule.compactMap { ($0["principal"] as? String).flatMap { Decimal(string: $0) } }.reduce(0, +)
        #expect(principal == 100000)
        let plain = try await api.post("/api/v1/calculators/emi", ["principal": "1000", "annual_rate": "0", "term_months": 3])
        #expect(plain["emi"] == "333.33")
        #expect(plain.json["schedule"] == nil || plain.json["schedule"] is NSNull)
    }

    @Test func calculatorsRefuseBadNumbers() async throws {
        for body: [String: Any] in [
            ["principal": 100000, "annual_rate": "12.00", "term_months": 12],
            ["principal": "100000.001", "annual_rate": "12.00", "term_months": 12],
            ["principal": "0.00", "annual_rate": "12.00", "term_months": 12],
            ["principal": "1000.00", "annual_rate": "101", "term_months": 12],
            ["principal": "1000.00", "annual_rate": "12.00", "term_months": 0],
            ["principal": "-5.00", "annual_rate": "12.00", "term_months": 12],
        ] {
            let reply = try await api.post("/api/v1/calculators/emi", body)
            #expect(reply.status == 422, "\(body): \(reply.text)")
            #expect(!reply.fieldErrors.isEmpty)
        }
    }

    @Test func eligibilityCountsTheNewInstalment() async throws {
        let fits = try await api.post(
            "/api/v1/eligibility/check",
            [
                "monthly_income": "5000.00", "monthly_expenses": "1500.00", "existing_monthly_debt": "300.00", "amount": "10000.00",
                "term_months": 24,
            ])
        #expect(fits.status == 200)
        #expect(fits.json["eligible"] as? Bool == true)
        #expect(fits["dti"] == "0.1541")
        let tooMuch = try await api.post(
            "/api/v1/eligibility/check",
            [
                "monthly_income": "3000.00", "monthly_expenses": "1000.00", "existing_monthly_debt": "900.00", "amount": "20000.00",
                "term_months": 12,
            ])
        #expect(tooMuch.json["eligible"] as? Bool == false)
        #expect((tooMuch.json["reasons"] as? [String])?.contains("DTI_TOO_HIGH") == true)
        let unknownProduct = try await api.post(
            "/api/v1/eligibility/check",
            [
                "monthly_income": "3000.00", "monthly_expenses": "1000.00", "existing_monthly_debt": "0.00", "amount": "2000.00",
                "term_months": 12, "product_id": UUID().uuidString,
            ])
        #expect(unknownProduct.status == 422)
        #expect(unknownProduct.fieldErrors == ["product_id"])
    }

    @Test func adminsManageProductsAndEveryoneReadsTheActiveOnes() async throws {
        let root = try await SuperAdmin.session.value.access
        let created = try await newProduct(token: root)
        #expect(created.status == 201)
        let id = try #require(created["id"])
        #expect(created["annual_rate"] == "11.50")
        #expect(created.json["required_documents"] as? [String] == ["govt_id", "income_proof"])

        let anonymous = try await api.get("/api/v1/products/\(id)")
        #expect(anonymous.status == 200)
        #expect(anonymous.headers["ETag"].first == "\"1\"")
        let listed = try await api.get("/api/v1/products?type=personal&min_amount=40000&max_amount=45000&page_size=100")
        #expect(listed.status == 200)
        #expect((listed.json["items"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)
        #expect(listed.headers["X-Total-Count"].first != nil)
        let outOfRange = try await api.get("/api/v1/products?min_amount=60000&page_size=100")
        #expect((outOfRange.json["items"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == false)

        // An edit is visible on the very next read (the cache is invalidated on write).
        let edited = try await api.patch("/api/v1/products/\(id)", ["annual_rate": "9.75"], token: root, headers: [("If-Match", "\"1\"")])
        #expect(edited.status == 200)
        #expect(edited.headers["ETag"].first == "\"2\"")
        #expect(try await api.get("/api/v1/products/\(id)")["annual_rate"] == "9.75")
        #expect(
            try await api.patch("/api/v1/products/\(id)", ["annual_rate": "9.00"], token: root, headers: [("If-Match", "\"1\"")]).status
                == 412)

        // Deactivated: gone for the public, still there for admins.
        #expect(try await api.patch("/api/v1/products/\(id)", ["active": false], token: root).status == 200)
        #expect(try await api.get("/api/v1/products/\(id)").status == 404)
        #expect(try await api.get("/api/v1/products/\(id)", token: root).status == 200)
        let publicList = try await api.get("/api/v1/products?active=false&page_size=100")
        #expect((publicList.json["items"] as? [[String: Any]])?.allSatisfy { $0["active"] as? Bool == true } == true)
    }

    @Test func productsAreValidatedAndOnlyAdminsChangeThem() async throws {
        let root = try await SuperAdmin.session.value.access
        let inverted = try await newProduct(["min_amount": "5000.00", "max_amount": "1000.00"], token: root)
        #expect(inverted.status == 422)
        #expect(inverted.fieldErrors == ["max_amount"])
        let missing = try await api.post("/api/v1/products", ["name": "Half a product"], token: root)
        #expect(missing.status == 422)
        #expect(missing.fieldErrors.contains("type"))
        let badType = try await newProduct(["type": "yacht"], token: root)
        #expect(badType.status == 422)
        let client = try await accounts.login(try await accounts.activeClient()).access
        #expect(try await newProduct(token: client).status == 403)
        #expect(try await newProduct(token: "nonsense").status == 401)
        #expect(try await api.get("/api/v1/products/not-a-uuid").status == 404)
        #expect(try await api.get("/api/v1/products?min_amount=lots").status == 422)
    }
}
