import Foundation
import TestSupport
import Testing

/// The metrics the alert rules and the dashboard (deploy/monitoring) are built on, as Prometheus
/// scrapes them from each service's admin port.
@Suite struct MetricsTests {
    @Test func theMetricsTheAlertsUseAreExposed() async throws {
        let api = try API()
        let accounts = Accounts(api: api)
        let email = try await accounts.activeClient()
        #expect(try await api.post("/api/v1/auth/login", ["email": email, "password": "not the password"]).status == 401)
        _ = try await accounts.login(email)

        let expected: [(service: String, series: String)] = [
            ("gateway", #"http_requests_total{method="POST",route="/api/v1/auth/login",status="401"}"#),
            ("gateway", #"http_request_duration_seconds_bucket{method="POST",route="/api/v1/auth/login""#),
            ("auth", #"auth_sign_in_failures_total{reason="bad_credentials"}"#),
            ("auth", #"outbox_backlog{schema="auth"}"#),
            ("approvals", #"approvals_sla_breaches_total{kind="stage"}"#),
            ("approvals", #"message_age_seconds_count{queue="approvals.events"}"#),
            ("notifications", #"message_age_seconds_count{queue="notifications.commands"}"#),
        ]
        for (service, series) in expected {
            let admin = API(base: try Self.adminURL(service))
            #expect(
                await eventually(timeout: .seconds(15), every: .milliseconds(500)) {
                    (try? await admin.get("/metrics").text)?.contains(series) == true
                }, "\(service) does not expose \(series)")
        }
    }

    static func adminURL(_ name: String) throws -> String {
        let urls = try TestEnvironment.require("ADMIN_URLS")
        let entry = urls.split(separator: ",").first { $0.hasPrefix("\(name)=") }
        return String(try #require(entry, "no admin URL for \(name)").dropFirst(name.count + 1))
    }
}
