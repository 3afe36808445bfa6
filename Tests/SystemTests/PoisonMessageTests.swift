import Contracts
import Foundation
import Messaging
import TestSupport
import Testing

/// A bad message on the bus is parked and counted, and the consumer keeps going.
@Suite struct PoisonMessageTests {
    @Test func anUndecodableCommandIsDeadLetteredAndTheNextOneStillWorks() async throws {
        let connection = try await TestServers.broker("poison-test")
        defer { Task { await connection.close() } }
        let queue = "notifications.commands"
        let parkedBefore = try await connection.withSession { try $0.inspect(queue: "\(queue).dlq") }.messageCount

        let poison = OutgoingMessage(
            body: Array("this is not JSON".utf8),
            properties: MessageProperties(messageID: UUID().uuidString, type: "notifications.email.send.v1"))
        try await connection.publish(poison, exchange: "", routingKey: queue)
        let address = "after-poison-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        let email = #"{"to": "\#(address)", "subject": "Still here", "text": "Your verification code is 424242."}"#
        let good = OutgoingMessage(
            body: Array(email.utf8),
            properties: MessageProperties(messageID: UUID().uuidString, type: "notifications.email.send.v1"))
        try await connection.publish(good, exchange: "", routingKey: queue)

        #expect(try await Mail.code(sentTo: address) == "424242")
        #expect(
            await eventually {
                (try? await connection.withSession { try $0.inspect(queue: "\(queue).dlq") }.messageCount) == parkedBefore + 1
            })
        let metrics = try await API(base: adminURL("notifications")).get("/metrics").text
        #expect(metrics.contains(#"messages_consumed_total{queue="notifications.commands",outcome="deadLetter"}"#))
    }

    @Test func anUndecodableAnalysisResultIsDeadLetteredAndThePipelineGoesOn() async throws {
        let connection = try await TestServers.broker("poison-approvals-test")
        defer { Task { await connection.close() } }
        let queue = "approvals.events"
        let parkedBefore = try await connection.withSession { try $0.inspect(queue: "\(queue).dlq") }.messageCount
        let poison = OutgoingMessage(
            body: Array(#"{"application_id": "not an id", "risk_score": 7}"#.utf8),
            properties: MessageProperties(messageID: UUID().uuidString, type: "analysis.completed.v1"))
        try await connection.publish(poison, exchange: Exchanges.events, routingKey: "analysis.completed")

        #expect(
            await eventually {
                (try? await connection.withSession { try $0.inspect(queue: "\(queue).dlq") }.messageCount) ?? 0 > parkedBefore
            })
        // Applications still go through analysis to their approvers.
        #expect(try await Approvers().pending().detail["status"] == "pending_approval")
        let metrics = try await API(base: adminURL("approvals")).get("/metrics").text
        #expect(metrics.contains(#"messages_consumed_total{queue="approvals.events",outcome="deadLetter"}"#))
    }

    @Test func anOperatorSeesWhatIsParkedAndReplaysIt() async throws {
        let root = try await SuperAdmin.session.value.access
        let api = try API()
        let connection = try await TestServers.broker("dead-letters-test")
        defer { Task { await connection.close() } }
        // A good event parked by hand (as if analytics had been down too long): replay must store it.
        let id = UUID().uuidString.lowercased()
        let event = OutgoingMessage(
            body: Array(#"{"note": "parked \#(id)", "occurred_at": "2026-11-25T10:00:00Z"}"#.utf8),
            properties: MessageProperties(messageID: id, type: "test.replayed.v1"))
        try await connection.publish(event, exchange: "", routingKey: "analytics.events.dlq")

        var parked: [String: Any]?
        #expect(
            await eventually {
                let list = try? await api.get("/api/v1/admin/dead-letters", token: root)
                parked = (list?.json["items"] as? [[String: Any]])?.first { $0["queue"] as? String == "analytics.events" }
                return (parked?["samples"] as? [[String: Any]])?.contains { $0["message_id"] as? String == id } == true
            }, "\(String(describing: parked))")
        #expect(parked?["dead_letter_queue"] as? String == "analytics.events.dlq")
        let replay = try await api.send(.POST, "/api/v1/admin/dead-letters/analytics.events/replay", token: root)
        #expect(replay.status == 200, "\(replay.text)")
        #expect((replay.json["replayed"] as? Int ?? 0) >= 1)
        #expect(try await EventStoreProbe.count("test.replayed.v1", where: "note", is: "parked \(id)") == 1)
        #expect(try await api.send(.POST, "/api/v1/admin/dead-letters/nowhere/replay", token: root).status == 404)
        let client = try await Accounts(api: api).login(try await Accounts(api: api).activeClient()).access
        #expect(try await api.get("/api/v1/admin/dead-letters", token: client).status == 403)
    }

    private func adminURL(_ name: String) throws -> String {
        try MetricsTests.adminURL(name)
    }
}
