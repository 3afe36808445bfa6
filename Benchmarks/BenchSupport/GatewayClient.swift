import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// JSON calls to the gateway's API, as a client app makes them (for the benchmarks). Given the
/// URLs of several gateway replicas, the calls take turns among them, as a load balancer's would.
public struct GatewayClient: Sendable {
    public struct Reply: @unchecked Sendable {
        public let status: Int
        /// The body as decoded by JSONSerialization (a dictionary for the API's objects).
        public let json: Any?

        public subscript(_ key: String) -> Any? { (json as? [String: Any])?[key] }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Whose turn it is among `bases`.
    private final class Turns: Sendable {
        let next = Atomic<Int>(0)
    }

    /// The gateways' URLs.
    public let bases: [String]
    public let http: HTTPClient
    private let turns = Turns()

    /// A client with room for `connections` requests at once; `base` is one URL or several
    /// separated by commas.
    public init(base: String, connections: Int) {
        self.bases = base.split(separator: ",").map(String.init)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, connections)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(
        _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, token: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        let turn = turns.next.wrappingAdd(1, ordering: .relaxed).oldValue
        var request = HTTPClientRequest(url: bases[turn % bases.count] + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        let json = bytes.readableBytes > 0 ? try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) : nil
        return Reply(status: Int(response.status.code), json: json)
    }

    /// Sends and requires `expected`; returns the reply.
    @discardableResult
    public func expect(
        _ expected: Int, _ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, token: String? = nil
    ) async throws -> Reply {
        let reply = try await send(method, path, body, token: token)
        guard reply.status == expected else {
            throw Failure("\(method) \(path) answered \(reply.status), not \(expected): \(reply.json ?? "")")
        }
        return reply
    }

    /// The access token of an account.
    public func signIn(_ email: String, _ password: String) async throws -> String {
        let reply = try await expect(200, .POST, "/api/v1/auth/login", ["email": email, "password": password])
        guard let token = reply["access_token"] as? String else { throw Failure("sign-in as \(email) gave no token") }
        return token
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }
}
