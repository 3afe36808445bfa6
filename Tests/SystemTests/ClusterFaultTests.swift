import Foundation
import TestSupport
import Testing

/// A node lost under load, where production runs: the cluster stack (`deploy/local/cluster`),
/// with three RabbitMQ nodes, a Redis primary with a replica and three sentinels, and two replicas
/// of every service. The stream takes turns between the two gateways, as a load balancer would.
/// Each node is killed with SIGKILL while applications and repayments stream in, and brought
/// back; the system recovers without a hand on it, and the drill's checks hold: every accepted
/// request took effect once, every event is in analytics once, the dead-letter queues hold only
/// the injected poison, and every quorum queue is again on all three nodes.
///
/// deploy/local/test runs this suite alone, against the cluster stack (`CLUSTER_COMMAND`), after
/// the test stack is stopped; deploy/local/chaos runs it with longer streams.
@Suite(.serialized) struct ClusterFaultTests {
    let drill: FaultDrill
    let cluster: String

    init() throws {
        drill = try FaultDrill(gateways: ["GATEWAY_URL", "SECOND_GATEWAY_URL"])
        cluster = try TestEnvironment.require("CLUSTER_COMMAND")
    }

    @Test func aRabbitMQNodeKilled() async throws {
        try await survive("a RabbitMQ node killed") { try Shell.run("\(cluster) kill rabbitmq-1") }
    }

    /// Sentinel promotes the replica; the client library follows it. Signed-in users stay signed
    /// in (a 401 fails the stream), and a session ended just before the kill stays ended though
    /// its deletion may not have reached the replica.
    @Test func theRedisPrimaryKilled() async throws {
        let accounts = Accounts(api: drill.api)
        let signedOut = try await accounts.login(try await accounts.activeClient())
        try await survive("the Redis primary killed") {
            #expect(try await drill.api.post("/api/v1/auth/logout", [:], token: signedOut.access).status == 204)
            try Shell.run("\(cluster) kill redis-primary")
        }
        for gateway in drill.gateways {
            let me = try await gateway.get("/api/v1/auth/me", token: signedOut.access)
            #expect(me.status == 401, "a session ended before the failover must stay ended: \(me.status) \(me.text)")
        }
    }

    /// One replica of every service at once, the first gateway among them.
    @Test func oneReplicaOfEachServiceKilled() async throws {
        try await survive("one replica of each service killed") {
            for instance in ["gateway", "auth-2", "loans-2", "approvals-2", "analysis-worker-2", "notifications-2", "analytics-2"] {
                try Shell.run("\(cluster) kill \(instance)")
            }
        }
    }

    /// Runs the drill with `kill` as the fault; what was killed stays down for a quarter of the
    /// stream, then `deploy/local/cluster up` brings it back. At the end every quorum queue must
    /// again have its three members online.
    private func survive(_ fault: String, kill: @escaping @Sendable () async throws -> Void) async throws {
        let (cluster, downtime) = (cluster, drill.streamLength / 4)
        try await drill.survive(fault) {
            try await kill()
            try await Task.sleep(for: downtime)
            try Shell.run("LENDING_SKIP_BUILD=1 \(cluster) up >/dev/null")
        }
        let replicated = await eventually(timeout: .seconds(120), every: .seconds(1)) {
            Shell.succeeds("\(cluster) replicated >/dev/null")
        }
        #expect(replicated, "the quorum queues are not all on three nodes again")
    }
}
