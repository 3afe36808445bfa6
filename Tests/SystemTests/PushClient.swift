import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import TestSupport
import Testing

/// A client app's WebSocket on the gateway: connects with an access token and collects what the
/// server pushes.
final class PushClient: Sendable {
    /// Every text received, and how many of them `next` has looked at.
    private final class Received: Sendable {
        let state = Mutex<(texts: [String], read: Int)>(([], 0))
    }

    private let received = Received()
    private let connection: Task<WebSocketCloseFrame?, any Error>

    /// Connects and waits for the first heartbeat, which also means the gateway has the socket
    /// registered for pushes.
    static func connect(token: String, subscribe types: [String]? = nil, gateway: String? = nil) async throws -> PushClient {
        let client = try PushClient(token: token, subscribe: types, gateway: gateway ?? TestEnvironment.require("GATEWAY_URL"))
        try #require(await client.next(within: .seconds(15)) { $0["type"] as? String == "heartbeat" } != nil, "no heartbeat")
        return client
    }

    private init(token: String, subscribe types: [String]?, gateway: String) throws {
        let base = gateway.replacingOccurrences(of: "http://", with: "ws://")
        let url = "\(base)/api/v1/ws?access_token=\(token)"
        let received = self.received
        connection = Task {
            try await WebSocketClient.connect(url: url, logger: Logger(label: "test.ws")) { inbound, outbound, _ in
                if let types {
                    let subscribe = try JSONSerialization.data(withJSONObject: ["type": "subscribe", "notification_types": types])
                    try await outbound.write(.text(String(decoding: subscribe, as: UTF8.self)))
                }
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message { received.state.withLock { $0.texts.append(text) } }
                }
            }
        }
    }

    /// The next pushed message that `matches` (skipping the others), if one comes within `timeout`.
    func next(within timeout: Duration, matching matches: @escaping @Sendable ([String: Any]) -> Bool) async -> [String: Any]? {
        var found: [String: Any]?
        _ = await eventually(timeout: timeout, every: .milliseconds(10)) {
            let unread = received.state.withLock { state -> [String] in
                defer { state.read = state.texts.count }
                return Array(state.texts[state.read...])
            }
            found = unread.lazy.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.first(
                where: matches)
            return found != nil
        }
        return found
    }

    /// The code the server closed the socket with, if it closed it within `timeout`.
    func closeCode(within timeout: Duration) async -> UInt16? {
        let connection = connection
        return await withTaskGroup(of: UInt16?.self) { group in
            group.addTask {
                guard case .some(.some(let frame)) = try? await connection.value else { return nil }
                if case .unknown(let code) = frame.closeCode { return code }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                connection.cancel()  // so the other child's wait ends too
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    func close() {
        connection.cancel()
    }
}
