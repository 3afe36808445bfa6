import Foundation
import TestSupport
import Testing

/// The customer's own file (`/me/...`) and the staff views (`/customers`).
@Suite struct CustomerTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    static var profile: [String: Any] {
        [
            "full_name": "Grace Hopper", "phone": "+14155550123", "date_of_birth": "1980-12-09", "address": "1 Navy Way, Arlington",
            "national_id": "AB-123456",
        ]
    }

    private func put(_ section: String, _ body: [String: Any], token: String, ifMatch: String? = nil) async throws -> API.Reply {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await api.send(
            .PUT, "/api/v1/me/\(section)", body: String(decoding: data, as: UTF8.self), token: token,
            headers: ifMatch.map { [("If-Match", $0)] } ?? [])
    }

    @Test func aClientFillsInTheirFileSectionBySection() async throws {
        let token = try await accounts.login(try await accounts.activeClient()).access
        #expect(try await api.get("/api/v1/me/profile", token: token).status == 404)

        let saved = try await put("profile", Self.profile, token: token)
        #expect(saved.status == 200)
        #expect(saved["full_name"] == "Grace Hopper")
        #expect(saved["date_of_birth"] == "1980-12-09")
        let etag = try #require(saved.headers["ETag"].first)
        let read = try await api.get("/api/v1/me/profile", token: token)
        #expect(read["national_id"] == "AB-123456")
        #expect(read.headers["ETag"].first == etag)

        let financial = try await put(
            "financial", ["monthly_income": "5200.00", "monthly_expenses": "1800.50", "existing_monthly_debt": "0"], token: token)
        #expect(financial.status == 200)
        #expect(financial["existing_monthly_debt"] == "0.00")
        let employment = try await put(
            "employment", ["employment_type": "salaried", "employer": "US Navy", "job_title": "Rear Admiral", "years_employed": 12],
            token: token)
        #expect(employment.status == 200)
        // Every section shares the file's version: the profile's old ETag is stale now.
        var renamed = Self.profile
        renamed["full_name"] = "Amazing Grace"
        #expect(try await put("profile", renamed, token: token, ifMatch: etag).status == 412)
        #expect(try await put("profile", renamed, token: token).status == 200)
    }

    @Test func badDetailsAreNamedFieldByField() async throws {
        let token = try await accounts.login(try await accounts.activeClient()).access
        var minor = Self.profile
        minor["date_of_birth"] = CalendarDateText.yearsAgo(17)
        minor["phone"] = "555-1234"
        let refused = try await put("profile", minor, token: token)
        #expect(refused.status == 422)
        #expect(Set(refused.fieldErrors) == ["date_of_birth", "phone"])
        var impossible = Self.profile
        impossible["date_of_birth"] = "1990-02-30"
        #expect(try await put("profile", impossible, token: token).fieldErrors == ["date_of_birth"])
        #expect(
            try await put("financial", ["monthly_income": 5000, "monthly_expenses": "1", "existing_monthly_debt": "0"], token: token).status
                == 422)
        let jobless = try await put("employment", ["employment_type": "salaried", "years_employed": 3], token: token)
        #expect(jobless.fieldErrors == ["employer"])
        #expect(try await put("employment", ["employment_type": "astronaut", "years_employed": 3], token: token).status == 422)
    }

    @Test func staffReadCustomersAndClientsDoNot() async throws {
        let client = try await accounts.login(try await accounts.activeClient()).access
        var unique = Self.profile
        let marker = "Zed\(UUID().uuidString.prefix(6))"
        unique["full_name"] = "\(marker) Customer"
        try #require(try await put("profile", unique, token: client).status == 200)
        let clientID = try #require(try await api.get("/api/v1/auth/me", token: client)["id"])

        let root = try await SuperAdmin.session.value.access
        let found = try await api.get("/api/v1/customers?q=\(marker)", token: root)
        #expect(found.status == 200)
        #expect(found.json["total"] as? Int == 1)
        let one = try await api.get("/api/v1/customers/\(clientID)", token: root)
        #expect(one.status == 200)
        #expect((one.json["profile"] as? [String: Any])?["full_name"] as? String == "\(marker) Customer")
        #expect(one.json["financial"] == nil || one.json["financial"] is NSNull)
        #expect(try await api.get("/api/v1/customers", token: client).status == 403)
        #expect(try await api.get("/api/v1/customers/\(UUID())", token: root).status == 404)
        // Staff have no file of their own.
        #expect(try await api.get("/api/v1/me/profile", token: root).status == 403)
    }
}

enum CalendarDateText {
    static func daysAgo(_ days: Int) -> String {
        format(Calendar(identifier: .gregorian).date(byAdding: .day, value: -days, to: Date())!)
    }

    static func yearsAgo(_ years: Int) -> String {
        format(Calendar(identifier: .gregorian).date(byAdding: .year, value: -years, to: Date())!)
    }

    private static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
