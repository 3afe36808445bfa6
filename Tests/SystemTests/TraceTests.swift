import Contracts
import Foundation
import Messaging
import TestSupport
import Testing

/// One client request's W3C trace goes from the gateway through the RPC to `loans`, its outbox,
/// and on through `approvals` and an analysis worker: every message it causes carries it.
@Suite struct TraceTests {
    @Test func aRequestsTraceTravelsWithEveryMessageItCauses() async throws {
        let applications = try ApplicationTests()
        let product = try await applications.product()
        let client = try await applications.applicant()
        let broker = try await TestServers.broker("trace-test")
        defer { Task { await broker.close() } }
        let queue = TestEnvironment.uniqueName("test.trace")
        let caused =
            [
                LoansEvents.ApplicationSubmitted.self, AnalysisEvents.Requested.self, AnalysisEvents.Completed.self,
                ApprovalsEvents.AwaitingDecision.self,
            ] as [any DomainEvent.Type]
        _ = try await broker.withSession { session in
            let status = try session.declare(Queue(name: queue, durable: false, autoDelete: true))
            for event in caused { try session.bind(Binding(queue: queue, exchange: Exchanges.events, routingKey: event.routingKey)) }
            return status
        }
        let (deliveries, _) = try await broker.deliveries(from: queue, prefetch: 100)

        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let reply = try await applications.api.post(
            "/api/v1/applications", ["product_id": product, "amount": "12000.00", "term_months": 24, "purpose": "A used car"],
            token: client, headers: [("traceparent", "00-\(traceID)-00f067aa0ba902b7-01")])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(reply["id"]).lowercased()
        #expect(reply.headers.first(name: "traceparent")?.contains(traceID) == true)

        let collected = Task {
            var traces: [String: String] = [:]
            for await delivery in deliveries {
                delivery.ack()
                guard String(decoding: delivery.body, as: UTF8.self).lowercased().contains(id), let type = delivery.properties.type
                else { continue }
                traces[type] = TraceContext.from(delivery.properties.headers)?.traceID ?? "none"
                if traces.count == caused.count { break }
            }
            return traces
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            collected.cancel()
        }
        let traces = await collected.value
        timeout.cancel()
        for event in caused {
            #expect(traces[event.type] == traceID, "\(event.type) carried \(traces[event.type] ?? "nothing")")
        }
    }
}
