import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// Support tickets through the gateway. Serialized: the workload check counts every admin's
/// tickets, which only this suite creates.
@Suite(.serialized) struct TicketTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    func open(priority: String = "high", token: String) async throws -> API.Reply {
        try await api.post(
            "/api/v1/tickets", ["subject": "Cannot upload my payslip", "description": "The upload stops at 90 %.", "priority": priority],
            token: token)
    }

    /// Open and in-progress tickets of one admin.
    func load(of admin: String, token: String) async throws -> Int {
        var total = 0
        for status in ["open", "in_progress"] {
            total += try await api.get("/api/v1/tickets?assignee=\(admin)&status=\(status)", token: token).json["total"] as? Int ?? 0
        }
        return total
    }

    @Test func aTicketGoesToTheLeastLoadedAdminWithAnSLA() async throws {
        let root = try await SuperAdmin.session.value.access
        _ = try await approvers.member("admin")  // at least one admin exists
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        let created = try await open(token: client)
        #expect(created.status == 201, "\(created.text)")
        #expect(created["status"] == "open")
        #expect(created["priority"] == "high")
        let assignee = try #require(created.json["assignee"] as? [String: Any])
        let assigneeID = try #require(assignee["id"] as? String)
        #expect((assignee["full_name"] as? String)?.isEmpty == false)
        let due = try #require(created["due_at"].flatMap { try? Date($0, strategy: .iso8601) })
        #expect(abs(due.timeIntervalSinceNow - 4 * 3600) < 120)

        // Nobody active had fewer open and in-progress tickets than the assignee had before this one.
        let admins = try await api.allItems("/api/v1/users?role=admin&status=active", token: root).compactMap { $0["id"] as? String }
        #expect(admins.contains(assigneeID))
        let before = try await load(of: assigneeID, token: root) - 1
        for admin in admins where admin != assigneeID {
            #expect(try await load(of: admin, token: root) >= before, "\(admin) had less work than \(assigneeID)")
        }
    }

    @Test func aTicketNamesOnlyAnApplicationOfItsOwnClient() async throws {
        let (application, owner, _) = try await approvers.pending()
        let stranger = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        let body: (String) -> [String: Any] = { id in
            ["subject": "About my application", "description": "When will it be decided?", "priority": "low", "application_id": id]
        }
        // Someone else's application and one that does not exist are refused alike.
        for id in [application, UUID().uuidString.lowercased()] {
            let refused = try await api.post("/api/v1/tickets", body(id), token: stranger)
            #expect(refused.status == 422, "\(refused.text)")
            #expect(refused.fieldErrors == ["application_id"])
        }
        let own = try await api.post("/api/v1/tickets", body(application), token: owner)
        #expect(own.status == 201, "\(own.text)")
        #expect(own["application_id"] == application)
    }

    @Test func aTicketMovesThroughItsLifecycleWithComments() async throws {
        let root = try await SuperAdmin.session.value.access
        let clientEmail = try await approvers.accounts.activeClient()
        let client = try await approvers.accounts.login(clientEmail).access
        let created = try await open(priority: "medium", token: client)
        let id = try #require(created["id"])
        let assignee = (created.json["assignee"] as? [String: Any])?["id"] as? String

        let stranger = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        #expect(try await api.get("/api/v1/tickets/\(id)", token: stranger).status == 404)
        #expect(try await api.get("/api/v1/tickets", token: client).json["total"] as? Int == 1)
        let analyst = try await approvers.member("analyst")
        #expect(try await api.get("/api/v1/tickets", token: analyst.token).status == 403)
        #expect(try await open(token: analyst.token).status == 403)

        let other = try await approvers.member("admin")
        if other.id != assignee {
            #expect(try await api.patch("/api/v1/tickets/\(id)", ["status": "in_progress"], token: other.token).status == 403)
            #expect(try await api.post("/api/v1/tickets/\(id)/comments", ["body": "Me too"], token: other.token).status == 403)
        }
        #expect(try await api.patch("/api/v1/tickets/\(id)", ["status": "resolved"], token: root).status == 409)  // not started
        #expect(
            try await api.patch("/api/v1/tickets/\(id)", ["status": "in_progress"], token: root, headers: [("If-Match", "\"99\"")]).status
                == 412)
        let current = try await api.get("/api/v1/tickets/\(id)", token: root)
        let etag = try #require(current.headers.first(name: "ETag"))
        let started = try await api.patch("/api/v1/tickets/\(id)", ["status": "in_progress"], token: root, headers: [("If-Match", etag)])
        #expect(started.status == 200, "\(started.text)")
        #expect(started["status"] == "in_progress")
        #expect(started.json["version"] as? Int == (current.json["version"] as? Int ?? 0) + 1)

        #expect(try await api.post("/api/v1/tickets/\(id)/comments", ["body": "Which browser?"], token: root).status == 201)
        #expect(try await api.post("/api/v1/tickets/\(id)/comments", ["body": "Firefox"], token: client).status == 201)
        #expect(try await api.post("/api/v1/tickets/\(id)/comments", ["body": "  "], token: client).status == 422)

        let resolved = try await api.patch("/api/v1/tickets/\(id)", ["status": "resolved"], token: root)
        #expect(resolved["status"] == "resolved")
        #expect(resolved["resolved_at"] != nil)
        #expect(try await api.patch("/api/v1/tickets/\(id)", ["priority": "low"], token: client).status == 403)
        let reopened = try await api.patch("/api/v1/tickets/\(id)", ["status": "open"], token: client)
        #expect(reopened.status == 200, "\(reopened.text)")
        #expect(reopened["status"] == "open")
        let detail = try await api.get("/api/v1/tickets/\(id)", token: client)
        #expect((detail.json["comments"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["Which browser?", "Firefox"])
        // Every change is an event the client's notifications are made from.
        #expect(try await EventStoreProbe.count("approvals.ticket.updated.v1", where: "ticket_id", is: id) >= 1)
        #expect(
            await eventually {
                (try? await EventStoreProbe.count("approvals.ticket.updated.v1", where: "ticket_id", is: id)) == 6
            })
    }

    @Test func badTicketsAreRefused() async throws {
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        let urgent = try await api.post("/api/v1/tickets", ["subject": "Help", "description": "x", "priority": "urgent"], token: client)
        #expect(urgent.status == 422 || urgent.status == 400)
        let empty = try await api.post("/api/v1/tickets", ["subject": "", "description": "", "priority": "low"], token: client)
        #expect(empty.status == 422)
        #expect(Set(empty.fieldErrors) == ["subject", "description"])
        #expect(try await api.get("/api/v1/tickets?priority=urgent", token: client).status == 422)
        #expect(try await api.get("/api/v1/tickets", token: client).json["total"] as? Int == 0)
    }

    @Test func aTicketPastItsSLAIsEscalated() async throws {
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        let id = try #require(try await open(priority: "low", token: client)["id"])
        try await Self.backdate(ticket: id)
        #expect(
            try await EventStoreProbe.count(
                "approvals.ticket.sla_breached.v1", where: "ticket_id", is: id, and: ["escalated_to": "super_admin"]) == 1)
        #expect(try await api.get("/api/v1/tickets/\(id)", token: client).json["escalated"] as? Bool == true)
    }

    static func backdate(ticket id: String) async throws {
        let logger = Logger(label: "test.tickets")
        let client = PostgresClient(configuration: try .init(url: TestEnvironment.require("DATABASE_URL")), backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        let ticket = try #require(UUID(uuidString: id))
        try await client.query("UPDATE approvals.tickets SET due_at = now() - interval '1 minute' WHERE id = \(ticket)", logger: logger)
    }
}
