import Foundation
import TestSupport
import Testing

/// The figures match what the test did: portfolio and approvals narrowed to a product of the
/// test's own, tickets to a client of its own, traffic on a path only this suite calls.
@Suite(.serialized) struct ReportTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    private func submit(_ product: String, amount: String, term: Int = 24) async throws -> (id: String, client: String) {
        let client = try await approvers.applications.applicant()
        let reply = try await approvers.applications.apply(client, product: product, amount: amount, term: term)
        try #require(reply.status == 202, "\(reply.text)")
        return (try #require(reply["id"]), client)
    }

    @Test func portfolioAndApprovalFiguresFollowTheApplications() async throws {
        let root = try await SuperAdmin.session.value.access
        let product = try await approvers.applications.product()
        let approved = try await submit(product, amount: "12000.00")
        let declined = try await submit(product, amount: "40000.00", term: 12)  // instalment > 60 % of income
        let rejected = try await submit(product, amount: "12000.00")
        let waiting = try await submit(product, amount: "12000.00")
        for (id, client) in [approved, rejected, waiting] {
            try #require(try await approvers.status(of: id, token: client, becomes: "pending_approval") != nil)
        }
        try #require(try await approvers.status(of: declined.id, token: declined.client, becomes: "rejected") != nil)
        #expect(try await approvers.decide(approved.id, "approve", token: root).status == 200)
        #expect(try await approvers.decide(rejected.id, "reject", token: root).status == 200)
        let loan = try await api.post("/api/v1/applications/\(approved.id)/disburse", [:], token: root)
        let loanID = try #require(loan["id"])
        let payment = try await api.post(
            "/api/v1/loans/\(loanID)/payments", ["amount": "1000.00", "reference": "bank transfer 1"], token: approved.client)
        let outstanding = try #require(payment["outstanding_principal"])

        var portfolio: [String: Any] = [:]
        let settled = await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
            portfolio = (try? await api.get("/api/v1/reports/portfolio?product_id=\(product)", token: root).json) ?? [:]
            return portfolio["outstanding_principal"] as? String == outstanding
                && (portfolio["by_status"] as? [String: Int])?["pending_approval"] == 1
        }
        #expect(settled, "\(portfolio)")
        #expect(portfolio["total"] as? Int == 4)
        #expect(portfolio["by_status"] as? [String: Int] == ["disbursed": 1, "rejected": 2, "pending_approval": 1])
        #expect(portfolio["sum_amount"] as? String == "76000.00")
        #expect(portfolio["disbursed_amount"] as? String == "12000.00")
        #expect(portfolio["avg_risk_score"] as? String != nil)

        let funnel = try await api.get("/api/v1/analytics/approvals?product_id=\(product)", token: root).json
        #expect(funnel["submitted"] as? Int == 4)
        #expect(funnel["auto_declined"] as? Int == 1)
        #expect(funnel["approved"] as? Int == 1)
        #expect(funnel["rejected"] as? Int == 1)
        #expect(funnel["in_progress"] as? Int == 1)
        #expect(funnel["avg_hours_to_decision"] as? Double != nil)
        let stages = funnel["by_stage"] as? [[String: Any]] ?? []
        #expect(stages.first { $0["role"] as? String == "analyst" }?["decided"] as? Int == 2)

        let analyst = try await approvers.member("analyst")
        #expect(try await api.get("/api/v1/reports/portfolio", token: analyst.token).status == 403)
        #expect(try await api.get("/api/v1/analytics/approvals", token: analyst.token).status == 403)
        #expect(try await api.get("/api/v1/reports/portfolio?from=2026-12-31&to=2026-01-01", token: root).status == 422)
        let stats = try await api.get("/api/v1/public/stats")
        #expect(stats.status == 200)
        #expect((stats.json["applications_processed"] as? Int ?? 0) >= 3)
    }

    @Test func ticketFiguresFollowTheTickets() async throws {
        let root = try await SuperAdmin.session.value.access
        let email = try await approvers.accounts.activeClient()
        let client = try await approvers.accounts.login(email).access
        let clientID = try #require(try await api.get("/api/v1/auth/me", token: client)["id"])
        var ids: [String] = []
        for priority in ["high", "low"] {
            let ticket = try await api.post(
                "/api/v1/tickets", ["subject": "Question \(priority)", "description": "Details", "priority": priority], token: client)
            ids.append(try #require(ticket["id"]))
        }
        #expect(try await api.patch("/api/v1/tickets/\(ids[0])", ["status": "in_progress"], token: root).status == 200)
        var figures: [String: Any] = [:]
        #expect(
            await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
                figures = (try? await api.get("/api/v1/analytics/tickets?customer_id=\(clientID)", token: root).json) ?? [:]
                return figures["in_progress"] as? Int == 1 && figures["open"] as? Int == 1
            }, "\(figures)")
        #expect(figures["open"] as? Int == 1)
        #expect(figures["resolved"] as? Int == 0)
        #expect(figures["by_priority"] as? [String: Int] == ["high": 1, "low": 1])
        #expect(try await api.get("/api/v1/analytics/tickets", token: client).status == 403)
    }

    @Test func trafficCountsEveryRequestByRouteTemplate() async throws {
        let root = try await SuperAdmin.session.value.access
        func calls() async throws -> (count: Int, p50: Double) {
            let figures = try await api.get("/api/v1/analytics/traffic?path=/api/v1/public/stats", token: root).json
            let path = (figures["top_paths"] as? [[String: Any]])?.first {
                $0["path"] as? String == "/api/v1/public/stats" && $0["method"] as? String == "GET"
            }
            return (path?["count"] as? Int ?? 0, path?["p50_ms"] as? Double ?? 0)
        }
        // Earlier requests settle into the figures first: gateways report every second, so two
        // reads more than a second apart that agree mean nothing is on its way.
        var before = try await calls()
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(1500))
            let now = try await calls()
            if now.count == before.count { break }
            before = now
        }
        for _ in 0..<5 { #expect(try await api.get("/api/v1/public/stats").status == 200) }
        var after = before
        #expect(
            await eventually(timeout: .seconds(15)) {
                after = (try? await calls()) ?? after
                return after.count == before.count + 5
            }, "\(before) → \(after)")
        #expect(after.p50 > 0)
        let figures = try await api.get("/api/v1/analytics/traffic", token: root).json
        #expect((figures["by_status_class"] as? [String: Int])?["2xx"] ?? 0 > 0)
        #expect((figures["by_role"] as? [String: Int])?["anonymous"] ?? 0 >= 5)
        #expect(figures["error_rate"] as? Double != nil)
        #expect(try await api.get("/api/v1/analytics/traffic", token: try await approvers.member("admin").token).status == 403)
    }
}
