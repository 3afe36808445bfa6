import Foundation

/// Where RabbitMQ is and how patiently to talk to it: the nodes, heartbeats, timeouts and the
/// backoff between rounds of connection attempts.
public struct AMQPConfiguration: Sendable {
    /// One node to connect to, with the credentials and virtual host to use there.
    public struct Broker: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var virtualHost: String

        /// Parses `amqp://user:password@host:port/vhost` (the vhost percent-encoded, `/` when absent).
        /// The port defaults to 5672 and the credentials to `guest`.
        ///
        /// - Throws: ``AMQPError/invalidURL(_:)`` for another scheme, no host, or a vhost that does
        ///   not decode.
        public init(url: String) throws {
            guard let components = URLComponents(string: url), components.scheme == "amqp",
                let host = components.host, !host.isEmpty
            else { throw AMQPError.invalidURL(url) }
            self.host = host
            self.port = components.port ?? 5672
            self.user = components.user ?? "guest"
            self.password = components.password ?? "guest"
            let path = components.percentEncodedPath
            let vhost = path.isEmpty || path == "/" ? "/" : String(path.dropFirst())
            guard let decoded = vhost.removingPercentEncoding else { throw AMQPError.invalidURL(url) }
            self.virtualHost = decoded
        }

        /// For logs: never the password.
        public var description: String { "\(host):\(port)" }
    }

    /// The nodes of one cluster (or the one broker). A connection starts at a random one, so the
    /// replicas of a service spread over the nodes, and on losing it moves on to the next.
    public var brokers: [Broker]
    /// Both sides close a connection that stays silent for twice this long.
    public var heartbeat: Duration = .seconds(15)
    public var connectTimeout: Duration = .seconds(5)
    /// Bounds every synchronous broker call (declare, consume, close), so a broker that stops
    /// answering cannot wedge the connection thread.
    public var operationTimeout: Duration = .seconds(10)
    /// The wait after every node has refused a connection in a row.
    public var reconnectBackoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))

    /// Parses one URL, or several separated by commas (the nodes of a cluster):
    /// `amqp://user:password@host:port/vhost[,amqp://…]`.
    ///
    /// - Throws: ``AMQPError/invalidURL(_:)`` when any of them is not such a URL, or there is none.
    public init(url: String) throws {
        brokers = try url.split(separator: ",").map { try Broker(url: $0.trimmingCharacters(in: .whitespaces)) }
        guard !brokers.isEmpty else { throw AMQPError.invalidURL(url) }
    }
}

/// Capped exponential backoff with jitter: replicas that lost the same server do not all come
/// back in the same millisecond.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before retry number `attempt` (0 for the first retry): half fixed, half random.
    ///
    /// - Returns: a duration between half and all of `initial` doubled `attempt` times, capped
    ///   at `maximum`.
    public func delay(attempt: Int) -> Duration {
        let exponent = min(attempt, 30)
        let ceiling = min(maximum, initial * (1 << exponent))
        let half = ceiling / 2
        return half + half * Double.random(in: 0...1)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var timeval: timeval {
        let (seconds, attoseconds) = components
        return .init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
