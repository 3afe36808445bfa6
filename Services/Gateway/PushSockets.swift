import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import Messaging
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// `GET /api/v1/ws`: a signed-in user's WebSocket. The token comes in the `Authorization` header
/// or, for browsers (which cannot set headers on a WebSocket), the `access_token` query parameter.
/// The server sends `{"type", "data", "at"}` for every notice (`heartbeat` every 30 s); the client
/// may send `{"type": "subscribe", "notification_types": [...]}` to receive only those types.
struct PushSockets: Sendable {
    static let path = "/api/v1/ws"
    /// The close code of a socket whose access ended (logout, expiry…): reconnect with a fresh token.
    static let accessEndedCode: UInt16 = 4001
    let hub: PushHub
    let authenticator: Authenticator
    let heartbeat: Duration

    /// Upgrades a request for the path that carries a live token. A refused handshake gets the
    /// problem it deserves (`401`, or `403` for a token that must set up MFA first).
    func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let target = request.path, let components = URLComponents(string: target), components.path == Self.path else {
            return .dontUpgrade
        }
        let token =
            Authenticator.bearerToken(authorization: request.headerFields[.authorization])
            ?? components.queryItems?.first { $0.name == "access_token" }?.value
        let claims: AccessTokenClaims
        do {
            claims = try await authenticator.authenticate(token: token)
            if claims.mfaSetupRequired == true { throw Problem.mfaSetupRequired }
        } catch {
            await Self.refuseHandshake(on: channel, error as? Problem ?? Authenticator.missing)
            return .dontUpgrade
        }
        guard let user = UUID(uuidString: claims.sub.value) else { return .dontUpgrade }
        let access = PushHub.Access(
            user: user, role: claims.role, sessionID: claims.sid, expiresAt: claims.exp.value, openedAt: Date())
        return .upgrade([:]) { inbound, outbound, context in
            try await session(of: access, inbound, outbound, context.logger)
        }
    }

    /// Writes `problem` as the answer to a refused handshake. Hummingbird answers any refused
    /// upgrade with an empty `400` of its own, then closes the connection, and offers no hook to
    /// change it; so the answer is written here first, on the HTTP/1 encoder the upgrade still has
    /// in place, and the client reads it (`Connection: close`, a length) and never the `400`.
    private static func refuseHandshake(on channel: any Channel, _ problem: Problem) async {
        let body = ByteBuffer(bytes: (try? JSON.encode(problem)) ?? [])
        var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: problem.status))
        head.headers.add(name: "Content-Type", value: "application/problem+json")
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
    }

    /// The HTTP answer to a request that was not upgraded.
    func refuse(_ request: Request, _ context: GatewayContext) async throws -> Response {
        _ = try context.verifiedToken()
        throw Problem(status: 426, slug: "upgrade-required", title: "Upgrade required", detail: "Open a WebSocket on this path.")
    }

    private func session(
        of access: PushHub.Access, _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ logger: Logger
    ) async throws {
        let (socket, pushes) = hub.join(access)
        defer { hub.leave(access.user, socket: socket) }
        let subscription = Subscription()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await push in pushes where subscription.allows(push.type) {
                    try await outbound.write(.text(String(decoding: try JSON.encode(push), as: UTF8.self)))
                }
                // The pushes end early only when the access that opened the socket has ended.
                if hub.hasEnded(socket) {
                    try await outbound.close(.unknown(Self.accessEndedCode), reason: "access ended: sign in again")
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: heartbeat)
                    let beat = PushMessage(type: "heartbeat", data: [:], at: Date())
                    try await outbound.write(.text(String(decoding: try JSON.encode(beat), as: UTF8.self)))
                }
            }
            // The client's messages; the session ends when it closes.
            for try await message in inbound.messages(maxSize: 16 * 1024) {
                guard case .text(let text) = message, let request = try? JSON.decode(ClientMessage.self, from: Array(text.utf8)),
                    request.type == "subscribe"
                else {
                    logger.debug("ignored a WebSocket message that is not a subscription")
                    continue
                }
                subscription.set(request.notificationTypes)
            }
            group.cancelAll()
        }
    }

    /// The types a socket asked for; all of them until it says.
    private final class Subscription: Sendable {
        private let types = Mutex<Set<String>?>(nil)
        /// What no subscription filters out: the heartbeat, and maintenance notices for everyone.
        static let alwaysSent: Set<String> = ["heartbeat", "system_maintenance"]

        func allows(_ type: String) -> Bool { Self.alwaysSent.contains(type) || types.withLock { $0?.contains(type) ?? true } }

        func set(_ types: [String]?) { self.types.withLock { $0 = types.map(Set.init) } }
    }

    private struct ClientMessage: Decodable {
        let type: String
        let notificationTypes: [String]?
    }
}

/// This replica's share of the push exchange: a queue of its own bound to every user's pushes,
/// read without acknowledgements (a push missed while the replica is down is still in the inbox).
struct PushFeed: Sendable {
    let hub: PushHub
    let queue: String

    init(hub: PushHub) {
        self.hub = hub
        queue = "gateway.push.\(UUID().uuidString.lowercased())"
    }

    var topology: Topology {
        Topology(
            queues: [Queue(name: queue, kind: .classic, durable: false, autoDelete: true)],
            bindings: [
                Binding(queue: queue, exchange: Exchanges.push, routingKey: "user.*"),
                Binding(queue: queue, exchange: Exchanges.push, routingKey: PushMessage.everyoneRoutingKey),
            ])
    }

    func start(on connection: AMQPConnection) async throws {
        _ = try await connection.consume(queue: queue, prefetch: 512, noAck: true) { delivery in
            if delivery.routingKey == PushMessage.everyoneRoutingKey {
                if let message = try? JSON.decode(PushMessage.self, from: delivery.body) { hub.deliverToEveryone(message) }
                return
            }
            guard let user = UUID(uuidString: String(delivery.routingKey.dropFirst("user.".count))),
                let message = try? JSON.decode(PushMessage.self, from: delivery.body)
            else { return }
            hub.deliver(message, to: user)
        }
    }
}
