import Contracts
import Foundation
import Messaging
import Synchronization
import TestSupport
import Testing

/// Faults strike while applications and repayments stream through the gateway: processes die
/// without warning (SIGKILL: no shutdown, no acknowledgement, no flush), servers included.
/// Each time the system recovers by itself, and at the end every request the gateway accepted
/// took effect exactly once, the analytics store holds every event once, and the dead-letter
/// queues hold exactly the poison the test injected meanwhile (every kind, into the consumers).
///
/// Run alone, after the other suites (deploy/local/test), since they break shared servers;
/// `deploy/local/chaos` runs the same with longer streams (CHAOS_SECONDS).
@Suite(.serialized) struct FaultTests {
    let drill: FaultDrill
    var api: API { drill.api }

    init() throws {
        drill = try FaultDrill()
    }

    private func survive(_ fault: String, _ strike: @escaping @Sendable () async throws -> Void) async throws {
        try await drill.survive(fault, strike)
    }

    @Test func anAnalysisWorkerKilled() async throws {
        let kill = try TestEnvironment.require("KILL_INSTANCE_COMMAND")
        try await survive("analysis worker killed") { try Shell.run("\(kill) analysis-worker-1") }
    }

    @Test func loansAndApprovalsKilled() async throws {
        let kill = try TestEnvironment.require("KILL_INSTANCE_COMMAND")
        try await survive("loans and approvals killed") {
            try Shell.run("\(kill) approvals")
            try Shell.run("\(kill) loans")
        }
    }

    @Test func rabbitMQKilled() async throws {
        let kill = try TestEnvironment.require("SERVER_KILL_COMMAND")
        try await survive("RabbitMQ killed") { try Shell.run("\(kill) rabbitmq") }
    }

    /// Redis killed with SIGKILL loses what it wrote in its last second (the append-only file is
    /// flushed every second). The stream's clients stay signed in (a 401 fails the stream), and a
    /// session ended just before the kill stays ended, though Redis may have lost its deletion.
    @Test func redisKilled() async throws {
        let kill = try TestEnvironment.require("SERVER_KILL_COMMAND")
        let accounts = Accounts(api: api)
        let signedOut = try await accounts.login(try await accounts.activeClient())
        try await survive("Redis killed") {
            #expect(try await api.post("/api/v1/auth/logout", [:], token: signedOut.access).status == 204)
            try Shell.run("\(kill) redis")
        }
        let me = try await api.get("/api/v1/auth/me", token: signedOut.access)
        #expect(me.status == 401, "a session ended before the crash must stay ended: \(me.status) \(me.text)")
    }

    @Test func postgreSQLKilled() async throws {
        let kill = try TestEnvironment.require("SERVER_KILL_COMMAND")
        try await survive("PostgreSQL killed") { try Shell.run("\(kill) postgres") }
    }
}
