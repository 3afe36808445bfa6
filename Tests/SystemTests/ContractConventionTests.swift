import Foundation
import TestSupport
import Testing

/// The API's conventions, each as a client would trip over it: unknown fields, bodies that are not
/// objects, `+` in a query, "or null" fields, `current` in a 412, unmatched requests in the traffic
/// figures, and the staff look-ups.
@Suite struct ContractConventionTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    @Test func anUnknownFieldIsRefusedByNameAndChangesNothing() async throws {
        let client = try await approvers.applications.applicant()
        let before = try await api.get("/api/v1/me/employment", token: client)
        let sent = try await api.send(
            .PUT, "/api/v1/me/employment",
            body: #"{"employment_type": "retired", "years_employed": 0, "employer": null, "nickname": "Ada"}"#, token: client)
        #expect(sent.status == 422)
        #expect(sent.fieldErrors == ["nickname"])
        #expect(try await api.get("/api/v1/me/employment", token: client).text == before.text)
        let nested = try await api.send(
            .POST, "/api/v1/calculators/emi",
            body: #"{"principal": "1000.00", "annual_rate": "10.00", "term_months": 12, "extra": {"a": 1}}"#)
        #expect(nested.fieldErrors == ["extra"])
        // A field the endpoint knows, sent as null where it is optional, is not unknown.
        let optionalNull = try await api.send(
            .POST, "/api/v1/calculators/emi",
            body: #"{"principal": "1000.00", "annual_rate": "10.00", "term_months": 12, "include_schedule": null}"#)
        #expect(optionalNull.status == 200, "\(optionalNull.text)")
    }

    @Test func aBodyThatIsNotAnObjectIsUnprocessable() async throws {
        for body in ["[]", "\"x\"", "3"] {
            let reply = try await api.send(.POST, "/api/v1/calculators/emi", body: body)
            #expect(reply.status == 422, "\(body): \(reply.text)")
            #expect(reply.fieldErrors == ["body"])
        }
    }

    @Test func aPlusInTheQueryIsASpace() async throws {
        let root = try await SuperAdmin.session.value.access
        let marker = UUID().uuidString.prefix(8).lowercased()
        let created = try await api.post(
            "/api/v1/users",
            [
                "email": "plus-\(marker)@staff.example", "password": "a sound password", "full_name": "Grace \(marker) Hopper",
                "role": "analyst",
            ],
            token: root)
        try #require(created.status == 201, "\(created.text)")
        let found = try await api.get("/api/v1/users?q=Grace+\(marker)", token: root)
        #expect(found.json["total"] as? Int == 1, "\(found.text)")
        #expect(try await api.get("/api/v1/users?q=Grace%20\(marker)", token: root).json["total"] as? Int == 1)
        #expect(try await api.get("/api/v1/users?q=Grace%2B\(marker)", token: root).json["total"] as? Int == 0)  // a literal plus
    }

    @Test func staffLookUpAUserAndCorrectTheirNameWithAVersionCheck() async throws {
        let root = try await SuperAdmin.session.value.access
        let analyst = try await approvers.member("analyst")
        let read = try await api.get("/api/v1/users/\(analyst.id)", token: root)
        #expect(read.status == 200)
        #expect(read["full_name"] == "Approver analyst")
        let version = try #require(read.headers["ETag"].first)
        #expect(try await api.get("/api/v1/users/\(UUID().uuidString)", token: root).status == 404)
        #expect(try await api.get("/api/v1/users/\(analyst.id)", token: analyst.token).status == 403)

        let renamed = try await api.patch(
            "/api/v1/users/\(analyst.id)", ["full_name": "  Ada Lovelace "], token: root, headers: [("If-Match", version)])
        #expect(renamed.status == 200, "\(renamed.text)")
        #expect(renamed["full_name"] == "Ada Lovelace")
        #expect(try await api.patch("/api/v1/users/\(analyst.id)", ["full_name": ""], token: root).fieldErrors == ["full_name"])
        let stale = try await api.patch(
            "/api/v1/users/\(analyst.id)", ["full_name": "Someone Else"], token: root, headers: [("If-Match", version)])
        #expect(stale.status == 412)
        let current = try #require(stale.json["current"] as? [String: Any], "a 412 carries the resource as it now is: \(stale.text)")
        #expect(current["full_name"] as? String == "Ada Lovelace")
        #expect(current["id"] as? String == analyst.id)
    }

    @Test func aStaleProductEditCarriesTheCurrentProduct() async throws {
        let root = try await SuperAdmin.session.value.access
        let product = try await approvers.applications.product()
        #expect(try await api.patch("/api/v1/products/\(product)", ["annual_rate": "9.75"], token: root).status == 200)
        let stale = try await api.patch(
            "/api/v1/products/\(product)", ["annual_rate": "9.00"], token: root, headers: [("If-Match", "\"1\"")])
        #expect(stale.status == 412)
        #expect((stale.json["current"] as? [String: Any])?["annual_rate"] as? String == "9.75")
    }

    @Test func unreadNotificationsSayReadAtIsNull() async throws {
        let (_, client, _) = try await approvers.pending()
        var items: [[String: Any]] = []
        #expect(
            await eventually(timeout: .seconds(10)) {
                items = (try? await api.get("/api/v1/notifications?unread=true", token: client).json["items"] as? [[String: Any]]) ?? []
                return !items.isEmpty
            })
        #expect(items.allSatisfy { $0.keys.contains("read_at") && $0["read_at"] is NSNull })
    }

    @Test func requestsThatMatchNoRouteAreCountedApart() async throws {
        let root = try await SuperAdmin.session.value.access
        let before = try await api.get("/api/v1/analytics/traffic", token: root).json["unmatched_requests"] as? Int ?? 0
        for _ in 0..<3 { #expect(try await api.get("/api/v1/no-such-route-\(UUID().uuidString)").status == 404) }
        var figures: [String: Any] = [:]
        #expect(
            await eventually(timeout: .seconds(15)) {
                figures = (try? await api.get("/api/v1/analytics/traffic", token: root).json) ?? [:]
                return figures["unmatched_requests"] as? Int ?? 0 >= before + 3
            }, "\(figures)")
        let paths = (figures["top_paths"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(!paths.contains("") && !paths.contains("NotFound"))
    }

    @Test func thePortfolioNarrowsToOneCustomer() async throws {
        let (_, client, _) = try await approvers.pending()
        let root = try await SuperAdmin.session.value.access
        let customer = try #require(try await api.get("/api/v1/auth/me", token: client)["id"])
        var total: Int?
        #expect(
            await eventually(timeout: .seconds(10)) {
                total = try? await api.get("/api/v1/reports/portfolio?customer_id=\(customer)", token: root).json["total"] as? Int
                return total == 1
            }, "total \(String(describing: total))")
    }
}
