import Contracts
import Foundation
import Metrics
import Synchronization

/// The WebSockets open on this gateway replica, by user, each with a bounded buffer: a client
/// that reads slower than it is sent to loses its oldest pushes rather than holding memory or
/// slowing the others.
final class PushHub: Sendable {
    /// Pushes one socket may have waiting.
    static let bufferSize = 64

    private let sockets = Mutex<[UUID: [UUID: AsyncStream<PushMessage>.Continuation]]>([:])
    private let connections = Gauge(label: "websocket_connections")
    private let dropped = Counter(label: "websocket_pushes_dropped_total")
    private let delivered = Counter(label: "websocket_pushes_total")

    /// A new socket of `user`: its id (to leave with) and the pushes for it.
    func join(_ user: UUID) -> (id: UUID, pushes: AsyncStream<PushMessage>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: PushMessage.self, bufferingPolicy: .bufferingNewest(Self.bufferSize))
        let count = sockets.withLock { sockets in
            sockets[user, default: [:]][id] = continuation
            return sockets.values.reduce(0) { $0 + $1.count }
        }
        connections.record(count)
        return (id, stream)
    }

    func leave(_ user: UUID, socket id: UUID) {
        let (continuation, count) = sockets.withLock { sockets in
            let continuation = sockets[user]?.removeValue(forKey: id)
            if sockets[user]?.isEmpty == true { sockets[user] = nil }
            return (continuation, sockets.values.reduce(0) { $0 + $1.count })
        }
        continuation?.finish()
        connections.record(count)
    }

    /// Hands `message` to every socket `user` has open here (none, usually: another replica holds them).
    func deliver(_ message: PushMessage, to user: UUID) {
        let targets = sockets.withLock { Array(($0[user] ?? [:]).values) }
        for socket in targets {
            if case .dropped = socket.yield(message) { dropped.increment() } else { delivered.increment() }
        }
    }
}
