import Contracts
import Foundation
import Testing

@testable import Gateway

@Suite struct PushHubTests {
    private func push(_ n: Int) -> PushMessage { PushMessage(type: "t", data: ["n": String(n)], at: Date()) }

    private func access(_ user: UUID, role: Role = .client) -> PushHub.Access {
        PushHub.Access(user: user, role: role, sessionID: "s", expiresAt: Date().addingTimeInterval(60), openedAt: Date())
    }

    @Test func eachUserGetsOnlyTheirOwnPushes() async {
        let hub = PushHub()
        let ada = UUID()
        let (socket, pushes) = hub.join(access(ada))
        hub.deliver(push(1), to: UUID())
        hub.deliver(push(2), to: ada)
        hub.leave(ada, socket: socket)
        var received: [String] = []
        for await message in pushes { received.append(message.type == "t" ? message.data["n"] ?? "" : message.type) }
        #expect(received == ["2", "sync_status"])  // a notice, then the signal to pull what changed
    }

    @Test func maintenanceNoticesReachEverySocketAndPresenceCountsRoles() async {
        let hub = PushHub()
        let (_, clientPushes) = hub.join(access(UUID()))
        let (_, staffPushes) = hub.join(access(UUID(), role: .analyst))
        let (_, secondClient) = hub.join(access(UUID()))
        #expect(hub.presence() == [.client: 2, .analyst: 1])
        hub.deliverToEveryone(PushMessage(type: "system_maintenance", data: [:], at: Date()))
        for pushes in [clientPushes, staffPushes, secondClient] {
            var iterator = pushes.makeAsyncIterator()
            #expect(await iterator.next()?.type == "system_maintenance")
        }
    }

    @Test func aSlowSocketKeepsTheNewestPushesWithinItsBuffer() async {
        let hub = PushHub()
        let user = UUID()
        let (socket, pushes) = hub.join(access(user))
        for n in 1...(PushHub.bufferSize + 10) { hub.deliver(push(n), to: user) }
        hub.leave(user, socket: socket)
        var received: [PushMessage] = []
        for await message in pushes { received.append(message) }
        #expect(received.count == PushHub.bufferSize)
        let numbered = received.filter { $0.type == "t" }.compactMap { Int($0.data["n"] ?? "") }
        #expect(numbered == Array((PushHub.bufferSize / 2 + 11)...(PushHub.bufferSize + 10)))
    }

    @Test func anEndedSocketStopsGettingPushesAndKnowsWhy() async {
        let hub = PushHub()
        let user = UUID()
        let (ended, endedPushes) = hub.join(access(user))
        let (kept, keptPushes) = hub.join(access(user))
        #expect(Set(hub.openSockets().map(\.id)) == [ended, kept])
        hub.end([ended])
        hub.deliver(push(1), to: user)
        #expect(hub.hasEnded(ended))
        #expect(!hub.hasEnded(kept))
        #expect(hub.openSockets().map(\.id) == [kept])
        var received: [String] = []
        for await message in endedPushes { received.append(message.data["n"] ?? "") }
        #expect(received.isEmpty)
        hub.leave(user, socket: ended)
        #expect(!hub.hasEnded(ended))
        hub.leave(user, socket: kept)
        for await message in keptPushes where message.type == "t" { received.append(message.data["n"] ?? "") }
        #expect(received == ["1"])
    }
}
