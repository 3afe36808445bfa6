import Contracts
import Foundation
import Testing

@Suite struct JSONTests {
    @Test func acronymPropertiesRoundTripThroughSnakeCase() throws {
        let principal = Principal(userID: UUID(), role: .superAdmin, sessionID: "s-1")
        let encoded = try JSON.encode(principal)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.contains("\"user_id\""))
        #expect(text.contains("\"session_id\""))
        #expect(text.contains("\"super_admin\""))
        #expect(try JSON.decode(Principal.self, from: encoded) == principal)
    }

    @Test func problemsLeaveRetryAfterOutOfTheBody() throws {
        let problem = Problem.tooManyRequests("slow down", retryAfter: 30)
        let text = String(decoding: try JSON.encode(problem), as: UTF8.self)
        #expect(!text.contains("30"))
        #expect(text.contains("\"status\":429"))
        #expect(problem.type == "/problems/too-many-requests")
    }

    @Test func eventRoutingKeysDropTheVersion() {
        #expect(AuthEvents.UserRegistered.routingKey == "auth.user.registered")
        #expect(AuthEvents.UserVerified.routingKey == "auth.user.verified")
    }

    @Test func serviceNamesGiveQueuesAndSchemas() {
        #expect(ServiceName.analysisWorker.rpcQueue == "analysis-worker.rpc")
        #expect(ServiceName.analysisWorker.schema == "analysis_worker")
        #expect(ServiceName.notifications.commandsQueue == "notifications.commands")
    }
}

@Suite struct ExplicitNullTests {
    @Test func anEmptyValueIsWrittenAsNullAndReadWhetherNullOrAbsent() throws {
        let open = ApprovalPolicy.Tier(maxAmount: nil, roles: [.analyst])
        let text = String(decoding: try JSON.encode(open), as: UTF8.self)
        #expect(text.contains(#""max_amount":null"#))
        #expect(try JSON.decode(ApprovalPolicy.Tier.self, from: Array(#"{"roles": ["analyst"]}"#.utf8)) == open)
        let bounded = try JSON.decode(ApprovalPolicy.Tier.self, from: Array(#"{"max_amount": "25000.00", "roles": ["analyst"]}"#.utf8))
        #expect(bounded.maxAmount == Money("25000.00"))
    }
}

@Suite struct PageRequestTests {
    @Test func aHugePageNeitherOverflowsNorPasses() {
        let huge = PageRequest(page: Int.max, pageSize: 100)
        #expect(huge.offset == Int.max)
        #expect(huge.problems.map(\.field) == ["page"])
        #expect(PageRequest(page: 3, pageSize: 20).offset == 40)
    }
}
