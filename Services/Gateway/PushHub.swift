import Contracts
import Foundation
import Messaging
import Metrics
import Synchronization

/// The WebSockets open on this gateway replica, by user, each with a bounded buffer: a client
/// that reads slower than it is sent to loses its oldest pushes rather than holding memory or
/// slowing the others. Each socket remembers the access that opened it, so that it can be ended
/// when that access ends (`SocketAccessWatch`).
final class PushHub: Sendable {
    /// Pushes one socket may have waiting.
    static let bufferSize = 64

    /// What opened a socket: its user, session and token expiry, and when.
    struct Access: Sendable {
        let user: UUID
        let role: Role
        let sessionID: String
        let expiresAt: Date
        let openedAt: Date
    }

    private struct Socket {
        let access: Access
        let pushes: AsyncStream<PushMessage>.Continuation
    }

    private struct State {
        var sockets: [UUID: [UUID: Socket]] = [:]
        /// Sockets ended because their access ended, until they leave.
        var ended: Set<UUID> = []

        var count: Int { sockets.values.reduce(0) { $0 + $1.count } }
    }

    private let state = Mutex(State())
    private let connections = Gauge(label: "websocket_connections")
    private let dropped = Counter(label: "websocket_pushes_dropped_total")
    private let delivered = Counter(label: "websocket_pushes_total")
    private let closedForAccess = Counter(label: "websocket_closed_access_ended_total")

    /// A new socket: its id (to leave with) and the pushes for it.
    func join(_ access: Access) -> (id: UUID, pushes: AsyncStream<PushMessage>) {
        let id = UUID.random()
        let (stream, continuation) = AsyncStream.makeStream(of: PushMessage.self, bufferingPolicy: .bufferingNewest(Self.bufferSize))
        let count = state.withLock { state in
            state.sockets[access.user, default: [:]][id] = Socket(access: access, pushes: continuation)
            return state.count
        }
        connections.record(count)
        return (id, stream)
    }

    func leave(_ user: UUID, socket id: UUID) {
        let (socket, count) = state.withLock { state in
            let socket = state.sockets[user]?.removeValue(forKey: id)
            if state.sockets[user]?.isEmpty == true { state.sockets[user] = nil }
            state.ended.remove(id)
            return (socket, state.count)
        }
        socket?.pushes.finish()
        connections.record(count)
    }

    /// Hands `message` to every socket `user` has open here (none, usually: another replica holds
    /// them). A notice means something the user syncs changed, so a `sync_status` follows it.
    func deliver(_ message: PushMessage, to user: UUID) {
        let targets = state.withLock { ($0.sockets[user] ?? [:]).values.map(\.pushes) }
        let pull = PushMessage.syncStatus(after: message)
        for socket in targets {
            yield(message, to: socket)
            yield(pull, to: socket)
        }
    }

    /// Hands `message` to every socket open here (a maintenance notice).
    func deliverToEveryone(_ message: PushMessage) {
        for socket in state.withLock({ $0.sockets.values.flatMap { $0.values.map(\.pushes) } }) { yield(message, to: socket) }
    }

    private func yield(_ message: PushMessage, to socket: AsyncStream<PushMessage>.Continuation) {
        if case .dropped = socket.yield(message) { dropped.increment() } else { delivered.increment() }
    }

    /// How many sockets are open here, by the role of who opened them.
    func presence() -> [Role: Int] {
        state.withLock { state in
            state.sockets.values.reduce(into: [:]) { counts, sockets in
                for socket in sockets.values { counts[socket.access.role, default: 0] += 1 }
            }
        }
    }

    /// Every socket open here, with the access that opened it.
    func openSockets() -> [(id: UUID, access: Access)] {
        state.withLock { state in
            state.sockets.values.flatMap { $0.map { (id: $0.key, access: $0.value.access) } }.filter { !state.ended.contains($0.id) }
        }
    }

    /// Ends sockets whose access has ended: their pushes stop, and ``hasEnded(_:)`` tells their
    /// session to close them with 4001.
    func end(_ ids: [UUID]) {
        guard !ids.isEmpty else { return }
        let streams = state.withLock { state in
            let ended = Set(ids)
            state.ended.formUnion(ended)
            return state.sockets.values.flatMap { $0.filter { ended.contains($0.key) }.map(\.value.pushes) }
        }
        closedForAccess.increment(by: streams.count)
        for stream in streams { stream.finish() }
    }

    func hasEnded(_ id: UUID) -> Bool {
        state.withLock { $0.ended.contains(id) }
    }
}
