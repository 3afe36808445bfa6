/// Everything a ``RedisClient`` can throw.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL given to ``RedisClient`` is neither `redis://[[user]:password@]host[:port][/db]` nor
    /// `redis+sentinel://[[user]:password@]host:port,…/primary-name[/db]`.
    case invalidURL(String)
    /// No connection could be opened (or AUTH / SELECT failed on it). While Redis stays
    /// unreachable, further attempts fail fast with this error for a short, growing backoff.
    case connectionFailed(address: String, reason: String)
    /// Reading or writing the socket failed (peer closed, reset, command timeout). The connection
    /// has been discarded; whether the server executed the command is unknown.
    case io(String)
    /// Redis answered with an error reply; the text is Redis's, e.g. `WRONGTYPE Operation against…`.
    case server(String)
    /// The byte stream from Redis could not be parsed. The connection has been discarded.
    case protocolError(String)
    /// A reply of a type the called method does not expect, e.g. an array from `INCR`.
    case unexpectedReply(command: String, reply: RedisValue)
    /// ``RedisClient/shutdown()`` has been called.
    case poolClosed

    public var description: String {
        switch self {
        case .invalidURL(let url):
            "invalid Redis URL '\(url)' (expected redis://[:password@]host[:port][/db] or redis+sentinel://[:password@]host:port,host:port/primary-name[/db])"
        case .connectionFailed(let address, let reason): "cannot connect to Redis at \(address): \(reason)"
        case .io(let reason): "Redis I/O error: \(reason)"
        case .server(let message): "Redis error reply: \(message)"
        case .protocolError(let reason): "Redis protocol error: \(reason)"
        case .unexpectedReply(let command, let reply): "unexpected reply to Redis \(command): \(reply)"
        case .poolClosed: "the Redis client has been shut down"
        }
    }
}
