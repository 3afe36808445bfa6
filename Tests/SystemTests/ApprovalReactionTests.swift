import Contracts
import Foundation
import Logging
import Messaging
import TestSupport
import Testing

/// `loans` moves applications as `approvals` decides. The approvals side is not built yet, so the
/// test publishes its events on the bus, exactly as its outbox will.
@Suite struct ApprovalReactionTests {
    let api: API
    let applications: ApplicationTests

    init() throws {
        api = try API()
        applications = try ApplicationTests()
    }

    func publisher() async throws -> AMQPConnection {
        let connection = AMQPConnection(
            name: "approvals-stand-in", configuration: try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL")),
            logger: Logger(label: "test"))
        connection.start()
        try #require(await eventually { connection.isConnected })
        return connection
    }

    func publish<Event: DomainEvent>(_ event: Event, id: String = UUID().uuidString, on connection: AMQPConnection) async throws {
        let message = OutgoingMessage(body: try JSON.encode(event), properties: MessageProperties(messageID: id, type: Event.type))
        try await connection.publish(message, exchange: Exchanges.events, routingKey: Event.routingKey)
    }

    func status(of id: String, token: String, becomes expected: String) async throws -> API.Reply? {
        var last: API.Reply?
        let reached = await eventually {
            last = try? await api.get("/api/v1/applications/\(id)", token: token)
            return last?["status"] == expected
        }
        return reached ? last : nil
    }

    @Test func anApplicationFollowsTheDecisions() async throws {
        let bus = try await publisher()
        defer { Task { await bus.close() } }
        let (id, client) = try await applications.submitted()
        let idText = id.uuidString
        let staff = UUID()

        #expect((try await api.get("/api/v1/applications", token: client).json["items"] as? [[String: Any]])?.first?["status"] as? String == "submitted")
        try await publish(ApprovalsEvents.AnalysisStarted(applicationID: id, occurredAt: Date()), on: bus)
        #expect(try await status(of: idText, token: client, becomes: "under_analysis") != nil)
        // A decision invalidates the client's cached list too (just after it commits).
        #expect(await eventually {
            (try? await api.get("/api/v1/applications", token: client).json["items"] as? [[String: Any]])??.first?["status"] as? String
                == "under_analysis"
        })
        try await publish(ApprovalsEvents.AwaitingDecision(applicationID: id, occurredAt: Date()), on: bus)
        #expect(try await status(of: idText, token: client, becomes: "pending_approval") != nil)

        let request = ApprovalsEvents.DocumentsRequested(applicationID: id, documents: [.bankStatement], requestedBy: staff, occurredAt: Date())
        let messageID = UUID().uuidString
        try await publish(request, id: messageID, on: bus)
        let waiting = try #require(try await status(of: idText, token: client, becomes: "documents_requested"))
        #expect(waiting.json["requested_documents"] as? [String] == ["bank_statement"])
        // The same event delivered twice changes nothing the second time.
        try await publish(request, id: messageID, on: bus)
        // The applicant uploads what was asked for: the application goes back to its approver.
        let uploaded = try await DocumentTests().upload(DocumentTests.pdf, type: "bank_statement", to: idText, token: client)
        #expect(uploaded.status == 201)
        let resumed = try #require(try await status(of: idText, token: client, becomes: "pending_approval"))
        let timeline = try #require(resumed.json["timeline"] as? [[String: Any]]).compactMap { $0["status"] as? String }
        #expect(timeline == ["submitted", "under_analysis", "pending_approval", "documents_requested", "pending_approval"])

        try await publish(ApprovalsEvents.Approved(applicationID: id, decidedBy: staff, occurredAt: Date()), on: bus)
        let approved = try #require(try await status(of: idText, token: client, becomes: "approved"))
        #expect((approved.json["timeline"] as? [[String: Any]])?.last?["actor_id"] as? String == staff.uuidString)
        #expect(try await api.send(.POST, "/api/v1/applications/\(idText)/withdraw", token: client).status == 409)
    }

    @Test func aDecisionThatOvertookTheOneBeforeItWaitsForIt() async throws {
        let bus = try await publisher()
        defer { Task { await bus.close() } }
        let (id, client) = try await applications.submitted()
        let idText = id.uuidString
        // Out of order on purpose: awaiting a decision before the analysis even started.
        try await publish(ApprovalsEvents.AwaitingDecision(applicationID: id, occurredAt: Date()), on: bus)
        try await publish(ApprovalsEvents.AnalysisStarted(applicationID: id, occurredAt: Date()), on: bus)
        #expect(try await status(of: idText, token: client, becomes: "pending_approval") != nil)
    }

    @Test func aDecisionThatCameTooLateChangesNothing() async throws {
        let bus = try await publisher()
        defer { Task { await bus.close() } }
        let (id, client) = try await applications.submitted()
        let idText = id.uuidString
        try await publish(ApprovalsEvents.Rejected(applicationID: id, decidedBy: nil, reason: "RISK_TOO_HIGH", occurredAt: Date()), on: bus)
        #expect(try await status(of: idText, token: client, becomes: "rejected") != nil)
        try await publish(ApprovalsEvents.Approved(applicationID: id, decidedBy: UUID(), occurredAt: Date()), on: bus)
        // Give the late approval its turn: wait for a message sent after it to be handled.
        let (other, otherClient) = try await applications.submitted()
        try await publish(ApprovalsEvents.AnalysisStarted(applicationID: other, occurredAt: Date()), on: bus)
        #expect(try await status(of: other.uuidString, token: otherClient, becomes: "under_analysis") != nil)
        #expect(try await api.get("/api/v1/applications/\(idText)", token: client)["status"] == "rejected")
    }
}
