import Foundation
import TestSupport
import Testing

/// Offline clients: the change feed, replaying a queue of writes, the pull signal, the figures,
/// and maintenance notices.
@Suite struct SyncTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    private func changes(_ token: String, since: String? = nil, limit: Int? = nil) async throws -> API.Reply {
        var query: [String] = []
        if let since { query.append("since=\(since)") }
        if let limit { query.append("limit=\(limit)") }
        return try await api.get("/api/v1/sync/changes" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), token: token)
    }

    private static func entries(_ reply: API.Reply) -> [[String: Any]] {
        reply.json["changes"] as? [[String: Any]] ?? []
    }

    @Test func aClientPullsWhatChangedAfterItsCursorAndNothingOfOthers() async throws {
        let (id, client, _) = try await approvers.pending()
        let first = try await changes(client)
        #expect(first.status == 200, "\(first.text)")
        let seen = Self.entries(first)
        let kinds = Set(seen.compactMap { $0["entity"] as? String })
        #expect(kinds.isSuperset(of: ["application", "profile", "notification"]), "\(kinds)")
        let application = try #require(seen.first { $0["entity"] as? String == "application" })
        #expect(application["id"] as? String == id)
        #expect((application["data"] as? [String: Any])?["status"] as? String == "pending_approval")
        #expect(application["op"] as? String == "upsert")
        // Each entity once a page: its latest version.
        let keys = seen.map { "\($0["entity"] ?? "")/\($0["id"] ?? "")" }
        #expect(Set(keys).count == keys.count)
        let cursor = try #require(first["cursor"])

        // Nothing of the file or the application changed since (a notice may still be arriving).
        let idle = try await changes(client, since: cursor)
        #expect(!Self.entries(idle).contains { ["application", "profile"].contains($0["entity"] as? String) }, "\(idle.text)")
        #expect(idle.json["has_more"] as? Bool == false)

        // A withdrawal comes next, and only it (with the notice it causes, if any).
        #expect(try await api.post("/api/v1/applications/\(id)/withdraw", [:], token: client).status == 200)
        let after = try await changes(client, since: try #require(idle["cursor"]))
        let changed = try #require(Self.entries(after).first { $0["entity"] as? String == "application" }, "\(after.text)")
        #expect((changed["data"] as? [String: Any])?["status"] as? String == "withdrawn")
        #expect(!Self.entries(after).contains { $0["entity"] as? String == "profile" })

        // Someone else's feed holds none of it.
        let stranger = try await approvers.applications.applicant()
        #expect(!Self.entries(try await changes(stranger)).contains { $0["id"] as? String == id })
    }

    @Test func pagesAreBoundedAndCursorsAreChecked() async throws {
        let (_, client, _) = try await approvers.pending()
        var cursor: String?
        var pages = 0
        var ids: [String] = []
        repeat {
            let page = try await changes(client, since: cursor, limit: 1)
            try #require(page.status == 200, "\(page.text)")
            #expect(Self.entries(page).count <= 1)
            ids += Self.entries(page).compactMap { $0["id"] as? String }
            cursor = page["cursor"]
            pages += 1
            if page.json["has_more"] as? Bool != true { break }
        } while pages < 50
        #expect(pages > 2 && pages < 50)
        #expect(Set(ids).count >= 3)  // profile, application, notifications

        #expect(try await changes(client, limit: 0).fieldErrors == ["limit"])
        #expect(try await changes(client, limit: 501).fieldErrors == ["limit"])
        #expect(try await changes(client, since: "not-a-cursor").fieldErrors == ["since"])
        // A cursor past anything the feed has written (from another system, or a restored one).
        let foreign = Data("v1.999999999999.999999999999.999999999999".utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let gone = try await changes(client, since: foreign)
        #expect(gone.status == 410, "\(gone.text)")
        #expect(gone.problemType == "/problems/cursor-too-old")
    }

    @Test func aBatchReplaysWritesInOrderEachWithItsOwnResult() async throws {
        let client = try await approvers.applications.applicant()
        let financial = try await api.get("/api/v1/me/financial", token: client)
        let version = try #require(financial.headers["ETag"].first)
        let ticketOp = UUID().uuidString
        let operations: [[String: Any]] = [
            [
                "op_id": UUID().uuidString, "method": "PUT", "path": "/me/financial", "if_match": version,
                "body": ["monthly_income": "7000.00", "monthly_expenses": "2000.00", "existing_monthly_debt": "250.00"],
            ],
            [
                "op_id": UUID().uuidString, "method": "PUT", "path": "/me/financial", "if_match": version,
                "body": ["monthly_income": "9000.00", "monthly_expenses": "2000.00", "existing_monthly_debt": "250.00"],
            ],
            [
                "op_id": ticketOp, "method": "POST", "path": "/tickets",
                "body": ["subject": "Offline question", "description": "Written on a train", "priority": "low"],
            ],
            ["op_id": UUID().uuidString, "method": "PATCH", "path": "/tickets/\(UUID().uuidString)", "body": ["priority": "high"]],
        ]
        let reply = try await api.post("/api/v1/sync/batch", ["operations": operations], token: client)
        #expect(reply.status == 200, "\(reply.text)")
        let results = try #require(reply.json["results"] as? [[String: Any]])
        #expect(results.map { $0["status"] as? String } == ["synced", "conflict", "synced", "failed"])
        #expect(results.map { $0["http_status"] as? Int } == [200, 412, 201, 404])
        let conflict = try #require(results[1]["body"] as? [String: Any])
        #expect(
            (conflict["current"] as? [String: Any])?["monthly_income"] as? String == "7000.00", "the conflict shows the version that won")
        let ticket = try #require((results[2]["body"] as? [String: Any])?["id"] as? String)
        #expect(try await api.get("/api/v1/me/financial", token: client)["monthly_income"] == "7000.00")

        // Sent again (the reply was lost): the same results, and still one ticket.
        let again = try await api.post("/api/v1/sync/batch", ["operations": Array(operations[2...2])], token: client)
        let replayed = try #require((again.json["results"] as? [[String: Any]])?.first)
        #expect((replayed["body"] as? [String: Any])?["id"] as? String == ticket)
        #expect(try await api.get("/api/v1/tickets", token: client).json["total"] as? Int == 1)
        // The same op_id for another write is refused, not applied.
        let reused = try await api.post(
            "/api/v1/sync/batch",
            [
                "operations": [
                    [
                        "op_id": ticketOp, "method": "POST", "path": "/tickets",
                        "body": ["subject": "x", "description": "y", "priority": "low"],
                    ]
                ]
            ],
            token: client)
        #expect((reused.json["results"] as? [[String: Any]])?.first?["status"] as? String == "failed")

        let tooMany = (0..<51).map { _ in ["op_id": UUID().uuidString, "method": "DELETE", "path": "/webhooks/x"] as [String: Any] }
        #expect(try await api.post("/api/v1/sync/batch", ["operations": tooMany], token: client).fieldErrors == ["operations"])
        let recursive = try await api.post(
            "/api/v1/sync/batch",
            ["operations": [["op_id": "a", "method": "POST", "path": "/sync/batch"], ["op_id": "b", "method": "GET", "path": "/loans"]]],
            token: client)
        #expect(recursive.fieldErrors == ["operations[0].path", "operations[1].method"])
    }

    @Test func adminsSeeBatchesConflictsAndWhoIsConnected() async throws {
        let client = try await approvers.applications.applicant()
        let socket = try await PushClient.connect(token: client)
        defer { socket.close() }
        let stale =
            [
                "op_id": UUID().uuidString, "method": "PUT", "path": "/me/employment", "if_match": "\"999\"",
                "body": ["employment_type": "salaried", "employer": "Acme", "years_employed": 5],
            ] as [String: Any]
        #expect(try await api.post("/api/v1/sync/batch", ["operations": [stale]], token: client).status == 200)

        let admin = try await approvers.member("admin")
        var summary: [String: Any] = [:]
        #expect(
            await eventually(timeout: .seconds(15)) {
                summary = (try? await api.get("/api/v1/sync/summary", token: admin.token).json) ?? [:]
                let connections = summary["active_connections"] as? [String: Any]
                return (connections?["by_role"] as? [String: Int])?["client"] ?? 0 >= 1
            }, "\(summary)")
        #expect(summary["batches"] as? Int ?? 0 >= 1)
        #expect((summary["operations"] as? [String: Int])?["conflict"] ?? 0 >= 1)
        #expect((summary["conflicts_by_entity"] as? [String: Int])?["profile"] ?? 0 >= 1)
        #expect(try await api.get("/api/v1/sync/summary", token: client).status == 403)
        #expect(try await api.get("/api/v1/sync/summary?from=2026-02-01&to=2026-01-01", token: admin.token).fieldErrors == ["from"])
    }

    @Test func aConnectedClientIsToldToPullAndEveryoneHearsOfMaintenance() async throws {
        let (id, client, _) = try await approvers.pending()
        let socket = try await PushClient.connect(token: client)
        defer { socket.close() }
        let root = try await SuperAdmin.session.value.access
        #expect(try await approvers.decide(id, "approve", token: root).status == 200)
        let pull = await socket.next(within: .seconds(10)) {
            $0["type"] as? String == "sync_status" && ($0["data"] as? [String: Any])?["application_id"] as? String == id
        }
        #expect(pull != nil, "a sync_status follows the change")
        #expect((pull?["data"] as? [String: Any])?["cursor"] is String)

        let admin = try await approvers.member("admin")
        let notice = ["message": "Upgrade at 02:00 UTC \(UUID().uuidString.prefix(6))", "starts_at": "2030-01-01T02:00:00Z"]
        #expect(try await api.post("/api/v1/admin/broadcast", notice, token: admin.token).status == 403)
        let sent = try await api.post("/api/v1/admin/broadcast", notice, token: root)
        #expect(sent.status == 202, "\(sent.text)")
        let heard = await socket.next(within: .seconds(10)) {
            $0["type"] as? String == "system_maintenance" && ($0["data"] as? [String: Any])?["message"] as? String == notice["message"]
        }
        #expect(heard != nil)
        #expect(try await api.post("/api/v1/admin/broadcast", ["message": ""], token: root).fieldErrors == ["message"])
    }
}
