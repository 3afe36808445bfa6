/// A request/reply operation. Its `name` is the AMQP `type` of the request.
public protocol RPCOperation: Sendable {
    associatedtype Request: Codable & Sendable
    associatedtype Response: Codable & Sendable
    static var name: String { get }
}

/// An operation that exactly one service answers.
public protocol ServiceOperation: RPCOperation {
    static var service: ServiceName { get }
}

/// RPC wire conventions shared by callers and servers.
public enum RPCWire {
    /// Reply header carrying the HTTP-style status; a status of 400 or more means the body is a `Problem`.
    public static let statusHeader = "x-status"
    public static let requestIDHeader = "x-request-id"
    /// The client's address as the gateway saw it (for audit and per-account defences).
    public static let clientIPHeader = "x-client-ip"
    /// The client's `Idempotency-Key`, scoped to the caller and route by the gateway, on creating
    /// requests: the service keeps its reply under it (`Database.transaction(once:)`).
    public static let idempotencyKeyHeader = "x-idempotency-key"
    /// Reply header with the seconds a refused caller should wait (for `429` and `503`).
    public static let retryAfterHeader = "x-retry-after"
    public static let replyType = "rpc.reply"
}

/// Every service answers `ping`, so readiness checks can see it is alive on the bus.
public enum Ping: RPCOperation {
    public struct Response: Codable, Sendable {
        public var service: String
        public var instance: String

        public init(service: String, instance: String) {
            self.service = service
            self.instance = instance
        }
    }
    public typealias Request = Empty
    public static let name = "ping.v1"
}
