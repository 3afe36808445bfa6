import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Past its bound of applications waiting for analysis, `loans` refuses new ones with `503` and
/// `Retry-After`, stores nothing, and takes the same request (same `Idempotency-Key`) once the
/// backlog has drained. Run alone (deploy/local/test): while the backlog is full every client's
/// submission is refused.
@Suite(.serialized) struct IntakeBackpressureTests {
    @Test func aFullBacklogRefusesSubmissionsUntilItDrains() async throws {
        let limit = try #require(Int(try TestEnvironment.require("LOANS_INTAKE_BACKLOG_LIMIT")))
        let retryAfter = try TestEnvironment.require("LOANS_INTAKE_RETRY_AFTER_SECONDS")
        let applications = try ApplicationTests()
        let product = try await applications.product()
        let client = try await applications.applicant()
        let filler = "backlog filler \(UUID().uuidString.prefix(8))"

        // The backlog, made full by rows that look like submissions nobody has analysed yet.
        try await TestServers.withDatabase { database, logger in
            try await database.query(
                """
                INSERT INTO loans.applications (id, customer_id, product_id, amount, term_months, annual_rate, purpose, status, snapshot)
                SELECT gen_random_uuid(), gen_random_uuid(), \(UUID(uuidString: product)!), 5000.00, 12, 12.00, \(filler), 'submitted', '{}'::jsonb
                FROM generate_series(1, \(limit))
                """, logger: logger)
        }
        let key = UUID().uuidString
        var refused: API.Reply?
        // The service recounts its backlog every 250 ms.
        #expect(
            await eventually(timeout: .seconds(5)) {
                refused = try? await applications.apply(client, product: product, key: key)
                return refused?.status == 503
            })
        #expect(refused?.headers.first(name: "Retry-After") == retryAfter)
        #expect(refused?.headers.first(name: "Content-Type") == "application/problem+json")
        #expect(refused?.problemType?.hasSuffix("unavailable") == true, "\(refused?.text ?? "")")
        #expect(try await applications.api.get("/api/v1/applications", token: client).json["total"] as? Int == 0)

        // Drained: the same request goes through, once.
        try await TestServers.withDatabase { database, logger in
            try await database.query("DELETE FROM loans.applications WHERE purpose = \(filler)", logger: logger)
        }
        var accepted: API.Reply?
        #expect(
            await eventually(timeout: .seconds(5)) {
                accepted = try? await applications.apply(client, product: product, key: key)
                return accepted?.status == 202
            })
        #expect(accepted?["status"] == "submitted", "\(accepted?.text ?? "")")
        #expect(try await applications.api.get("/api/v1/applications", token: client).json["total"] as? Int == 1)
    }
}
