import Foundation
import TestSupport
import Testing

/// Who hears what, through the gateway: the inbox, WebSocket pushes and emails.
@Suite struct NotificationTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    @Test func aClientSeesTheDecisionOnItsWebSocketAndInItsInbox() async throws {
        let (id, client, _) = try await approvers.pending()
        let socket = try await PushClient.connect(token: client, subscribe: ["application_status_changed"])
        defer { socket.close() }
        let root = try await SuperAdmin.session.value.access
        let decided = ContinuousClock.now
        #expect(try await approvers.decide(id, "approve", token: root).status == 200)
        let push = await socket.next(within: .seconds(10)) {
            ($0["data"] as? [String: Any])?["application_id"] as? String == id
                && ($0["data"] as? [String: Any])?["status"] as? String == "approved"
        }
        let latency = ContinuousClock.now - decided
        #expect(push?["type"] as? String == "application_status_changed")
        #expect(push?["at"] as? String != nil)
        // A figure for the notes, not an assertion: these machines are noisy.
        print("push received \(latency) after the decision was sent")

        let inbox = try await api.get("/api/v1/notifications?type=application_status_changed&unread=true", token: client)
        #expect(inbox.status == 200)
        let items = try #require(inbox.json["items"] as? [[String: Any]])
        let approved = try #require(items.first { ($0["data"] as? [String: Any])?["status"] as? String == "approved" })
        #expect(approved["title"] as? String == "Your application is now approved")
        // Words for people: a short reference, never the UUID (that stays in `data` for links).
        #expect(
            approved["body"] as? String
                == "Your application, reference \(id.prefix(8).uppercased()), moved from pending approval to approved.")
        #expect(approved["read_at"] is NSNull || approved["read_at"] == nil)
        let noticeID = try #require(approved["id"] as? String)
        #expect(try await api.send(.POST, "/api/v1/notifications/\(noticeID)/read", token: client).status == 204)
        let after = try await api.get("/api/v1/notifications?unread=false", token: client)
        #expect((after.json["items"] as? [[String: Any]])?.contains { $0["id"] as? String == noticeID } == true)
        #expect(try await api.send(.POST, "/api/v1/notifications/read-all", token: client).status == 204)
        #expect(try await api.get("/api/v1/notifications?unread=true", token: client).json["total"] as? Int == 0)
        #expect(try await api.send(.POST, "/api/v1/notifications/\(UUID().uuidString)/read", token: client).status == 404)
        // The decision's email reached the client too.
        let me = try await api.get("/api/v1/auth/me", token: client)
        _ = try await Mail.message(to: try #require(me["email"]), containing: "is now approved")
    }

    @Test func anApproverIsEmailedTheAssignmentAndOnlySubscribedTypesArePushed() async throws {
        let analyst = try await approvers.memberWithEmail("analyst")
        let socket = try await PushClient.connect(token: analyst.token, subscribe: ["stage_assigned"])
        defer { socket.close() }
        let (id, client, _) = try await approvers.pending()
        _ = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        let push = await socket.next(within: .seconds(10)) { ($0["data"] as? [String: Any])?["application_id"] as? String == id }
        #expect(push?["type"] as? String == "stage_assigned")
        // "opened" when the chain happened to start with this analyst, else "reassigned".
        #expect(["opened", "reassigned"].contains((push?["data"] as? [String: Any])?["reason"] as? String ?? ""))
        let email = try await Mail.message(to: analyst.email, containing: "Credit application \(id.prefix(8).uppercased()) waits")
        #expect(!email.lowercased().contains(id.lowercased()))
        #expect(email.contains("waits for your decision as analyst"))
    }

    @Test func aPushReachesTheSocketWhicheverGatewayReplicaHoldsIt() async throws {
        let (id, client, _) = try await approvers.pending()
        // The socket is on the second replica; the decision goes through the first.
        let socket = try await PushClient.connect(token: client, gateway: try TestEnvironment.require("SECOND_GATEWAY_URL"))
        defer { socket.close() }
        #expect(try await approvers.decide(id, "reject", token: try await SuperAdmin.session.value.access).status == 200)
        let push = await socket.next(within: .seconds(10)) {
            ($0["data"] as? [String: Any])?["application_id"] as? String == id
                && ($0["data"] as? [String: Any])?["status"] as? String == "rejected"
        }
        #expect(push?["type"] as? String == "application_status_changed")
    }

    @Test func preferencesTurnChannelsOff() async throws {
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        let defaults = try await api.get("/api/v1/notifications/preferences", token: client)
        #expect(defaults.json["email"] as? Bool == true)
        #expect(defaults.json["websocket"] as? Bool == true)
        let saved = try await api.send(
            .PUT, "/api/v1/notifications/preferences", body: #"{"email": false, "websocket": true}"#, token: client)
        #expect(saved.status == 200)
        #expect(try await api.get("/api/v1/notifications/preferences", token: client).json["email"] as? Bool == false)
        #expect(try await api.send(.PUT, "/api/v1/notifications/preferences", body: #"{"email": "no"}"#, token: client).status == 422)
    }

    @Test func theWebSocketPathNeedsATokenAndAnUpgrade() async throws {
        #expect(try await api.get("/api/v1/ws").status == 401)
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        #expect(try await api.get("/api/v1/ws", token: client).status == 426)
        #expect(try await api.get("/api/v1/notifications", token: nil).status == 401)
    }
}
