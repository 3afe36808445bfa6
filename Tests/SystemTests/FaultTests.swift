import Foundation
import TestSupport
import Testing

/// Processes die without warning (SIGKILL: no shutdown, no acknowledgement, no flush) while
/// applications flow, and nothing accepted is lost or done twice. Run alone, after the other
/// suites (deploy/local/test), since they kill shared services.
@Suite(.serialized) struct FaultTests {
    let approvers: Approvers

    init() throws {
        approvers = try Approvers()
    }

    /// Submits `count` applications on one product, one applicant each; `fault` strikes after the
    /// first. A submission the gateway could not complete (503/504 while a service restarts) is
    /// sent again with the same Idempotency-Key, as a client app would, until it is accepted.
    private func stream(_ count: Int, during fault: () throws -> Void) async throws -> [(id: String, client: String)] {
        let product = try await approvers.applications.product()
        var clients: [String] = []
        for _ in 0..<count { clients.append(try await approvers.applications.applicant()) }
        var submitted: [(id: String, client: String)] = []
        for (index, client) in clients.enumerated() {
            let key = UUID().uuidString
            var reply = try await approvers.applications.apply(client, product: product, key: key)
            for _ in 0..<80 where reply.status != 202 {
                #expect([503, 504].contains(reply.status), "\(reply.status) \(reply.text)")
                try await Task.sleep(for: .milliseconds(250))
                reply = try await approvers.applications.apply(client, product: product, key: key)
            }
            try #require(reply.status == 202, "\(reply.text)")
            submitted.append((try #require(reply["id"]), client))
            if index == 0 { try fault() }
        }
        return submitted
    }

    /// Every application reached its first approver, through exactly one analysis and one chain.
    private func expectEachAnalysedOnce(_ applications: [(id: String, client: String)]) async throws {
        for (id, client) in applications {
            #expect(try await approvers.status(of: id, token: client, becomes: "pending_approval") != nil, "\(id)")
            #expect(try await EventStoreProbe.count("approvals.application.awaiting_decision.v1", where: "application_id", is: id) == 1)
            let stages = Approvers.stages(try await approvers.api.get("/api/v1/applications/\(id)", token: client))
            #expect(stages.count == 1, "\(id): \(stages.count) stages")
        }
    }

    @Test func anAnalysisWorkerKilledMidStreamLosesNothing() async throws {
        let kill = try TestEnvironment.require("KILL_INSTANCE_COMMAND")
        let applications = try await stream(6) { try Shell.run("\(kill) analysis-worker-1") }
        try await expectEachAnalysedOnce(applications)
    }

    @Test func loansAndApprovalsKilledMidStreamLoseNothing() async throws {
        let kill = try TestEnvironment.require("KILL_INSTANCE_COMMAND")
        let applications = try await stream(6) {
            try Shell.run("\(kill) approvals")
            try Shell.run("\(kill) loans")
        }
        try await expectEachAnalysedOnce(applications)
    }
}
