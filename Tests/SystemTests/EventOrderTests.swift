import Contracts
import Foundation
import Messaging
import PostgresNIO
import TestSupport
import Testing

/// Under load the bus hands a consumer the events of one application out of order (several
/// deliveries in flight at once, a retried one coming back behind later ones). `loans` must still
/// apply them in the order `approvals` made them, and keep every state in the timeline.
@Suite struct EventOrderTests {
    @Test func approvalsEventsDeliveredBackwardsLeaveEveryStateInOrder() async throws {
        let applications = try ApplicationTests()
        let product = try #require(UUID(uuidString: try await applications.product()))
        let client = try await applications.applicant()
        let customer = try #require(try await applications.api.get("/api/v1/auth/me", token: client)["id"].flatMap(UUID.init(uuidString:)))
        let id = UUID()
        // Stored as `loans` stores a submission, but without its submitted event: `approvals` never
        // hears of it, and the test plays approvals' part on the bus.
        try await TestServers.withDatabase { database, logger in
            try await database.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO loans.applications (id, customer_id, product_id, amount, term_months, annual_rate, purpose, status, snapshot)
                    VALUES (\(id), \(customer), \(product), 12000.00, 24, 12.00, 'Delivered out of order', 'submitted', '{}'::jsonb)
                    """, logger: logger)
                try await connection.query(
                    "INSERT INTO loans.application_timeline (application_id, status, actor_id) VALUES (\(id), 'submitted', \(customer))",
                    logger: logger)
            }
        }
        let broker = try await TestServers.broker("event-order-test")
        defer { Task { await broker.close() } }
        func publish<Event: DomainEvent>(_ event: Event) async throws {
            let message = OutgoingMessage(
                body: try JSON.encode(event),
                properties: MessageProperties(
                    messageID: UUID().uuidString.lowercased(), type: Event.type, timestamp: Date(), appID: "approvals"))
            try await broker.publish(message, exchange: Exchanges.events, routingKey: Event.routingKey)
        }
        // Last first, one after the other: each reaches `loans` before the one approvals made before it.
        try await publish(
            ApprovalsEvents.Rejected(applicationID: id, decidedBy: UUID(), reason: "Too much debt", occurredAt: Date(), sequence: 3))
        try await publish(ApprovalsEvents.AwaitingDecision(applicationID: id, occurredAt: Date(), sequence: 2))
        try await publish(ApprovalsEvents.AnalysisStarted(applicationID: id, occurredAt: Date(), sequence: 1))

        let rejected = try #require(
            try await Approvers().status(of: id.uuidString.lowercased(), token: client, becomes: "rejected"), "never became rejected")
        let timeline = (rejected.json["timeline"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
        #expect(timeline == ["submitted", "under_analysis", "pending_approval", "rejected"])
        // Each move told the rest of the platform once, in the order it happened.
        #expect(
            try await EventStoreProbe.count(
                LoansEvents.ApplicationStatusChanged.type, where: "application_id", is: id.uuidString,
                and: ["to": "pending_approval", "from": "under_analysis"]) == 1)
    }
}
