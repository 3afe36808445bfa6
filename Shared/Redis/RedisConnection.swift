import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection.
///
/// A `redisContext` is not thread-safe, so a connection is only ever used by the one task that
/// checked it out of the ``ConnectionPool``; that exclusive hand-over is what makes the
/// `@unchecked Sendable` sound. All methods block and must run on the client's thread pool.
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    /// The server process's `run_id`: a new one after every restart, and a different one on the
    /// replica a failover promotes. Callers compare it with a marker to tell whether the data they
    /// wrote may have been lost since (see ``RedisClient/evaluate(_:keys:arguments:appendingRunID:)``).
    private(set) var runID = ""
    /// Whether the server is a primary (it takes writes); a demoted one answers writes `READONLY`.
    private(set) var isPrimary = true
    /// Set when the server answered `READONLY`: it was demoted by a failover, so the connection
    /// must go and the next one must ask the sentinels again.
    private var wasDemoted = false

    /// Connects to a data server: sets the command timeout, sends AUTH and SELECT as the endpoint
    /// asks, then reads the server's run id and role.
    convenience init(
        to address: RedisEndpoint.Address, of endpoint: RedisEndpoint, connectTimeout: Duration, commandTimeout: Duration
    ) throws(RedisError) {
        try self.init(address: address, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        do {
            if let password = endpoint.password {
                try run(["AUTH"] + (endpoint.username.map { [$0] } ?? []) + [password])
            }
            if endpoint.database != 0 {
                try run(["SELECT", String(endpoint.database)])
            }
            let info = try run(["INFO", "server", "replication"]).stringValue ?? ""
            for line in info.split(whereSeparator: \.isNewline) {
                if line.hasPrefix("run_id:") { runID = String(line.dropFirst("run_id:".count)) }
                if line.hasPrefix("role:") { isPrimary = line == "role:master" }
            }
        } catch {
            throw .connectionFailed(address: address.description, reason: error.description)
        }
    }

    /// Connects without AUTH (a sentinel, or the first step of a data server's connection).
    init(address: RedisEndpoint.Address, connectTimeout: Duration, commandTimeout: Duration) throws(RedisError) {
        guard let context = redisConnectWithTimeout(address.host, Int32(address.port), timeval(connectTimeout)) else {
            throw .connectionFailed(address: address.description, reason: "out of memory")
        }
        self.context = context
        // From here on `deinit` frees the context, also when a step below throws.
        guard context.pointee.err == 0 else {
            throw .connectionFailed(address: address.description, reason: errorText)
        }
        guard redisSetTimeout(context, timeval(commandTimeout)) == REDIS_OK else {
            throw .connectionFailed(address: address.description, reason: "cannot set timeout: \(errorText)")
        }
    }

    deinit {
        redisFree(context)
    }

    /// False once hiredis reported an I/O or protocol error: the stream may be out of step with the
    /// server, so the connection must be dropped, never reused.
    var isUsable: Bool { context.pointee.err == 0 && !wasDemoted }

    /// Whether the server has closed this idle connection (CLIENT KILL, idle timeout, restart).
    ///
    /// An idle RESP2 connection never has anything to read, so readable or hung-up means the peer
    /// is gone. Checking before each use turns "first command after a server restart fails" into
    /// a transparent reconnect, without the round trip of a PING.
    var isClosedByPeer: Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// Sends one command and waits for its reply. An error reply is thrown as ``RedisError/server(_:)``.
    @discardableResult
    func run(_ command: [String]) throws(RedisError) -> RedisValue {
        try run(command.map { Array($0.utf8) })
    }

    /// Sends one command and waits for its reply. An error reply is thrown as ``RedisError/server(_:)``.
    @discardableResult
    func run(_ command: [[UInt8]]) throws(RedisError) -> RedisValue {
        let reply = withArgv(command) { argc, argv, lengths in redisCommandArgv(context, argc, argv, lengths) }
        guard let reply else { throw contextError }
        defer { freeReplyObject(reply) }
        return try noticingDemotion(RedisValue.decode(reply.assumingMemoryBound(to: redisReply.self))).get()
    }

    /// Writes all commands in one go, then reads one reply per command, in order.
    ///
    /// Error replies come back as failures in their slot; only a connection-level error (after
    /// which no later reply can be trusted) throws.
    func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [Result<RedisValue, RedisError>] {
        for command in commands {
            // hiredis copies the formatted command into its output buffer, so argv need only
            // outlive this call.
            let status = withArgv(command) { argc, argv, lengths in redisAppendCommandArgv(context, argc, argv, lengths) }
            guard status == REDIS_OK else { throw contextError }
        }
        var results: [Result<RedisValue, RedisError>] = []
        results.reserveCapacity(commands.count)
        for _ in commands {
            var reply: UnsafeMutableRawPointer?
            guard redisGetReply(context, &reply) == REDIS_OK, let reply else { throw contextError }
            defer { freeReplyObject(reply) }
            results.append(noticingDemotion(RedisValue.decode(reply.assumingMemoryBound(to: redisReply.self))))
        }
        return results
    }

    private func noticingDemotion(_ result: Result<RedisValue, RedisError>) -> Result<RedisValue, RedisError> {
        if case .failure(.server(let message)) = result, message.hasPrefix("READONLY") { wasDemoted = true }
        return result
    }

    private var errorText: String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private var contextError: RedisError {
        context.pointee.err == REDIS_ERR_PROTOCOL ? .protocolError(errorText) : .io(errorText)
    }
}

/// Calls `body` with hiredis's `argc`, `argv`, `argvlen` for `command`, valid only during the call.
///
/// Every argument is copied into one buffer that `body` runs inside, so no pointer outlives the
/// storage it points into. A trailing zero byte keeps the base address non-nil even when all
/// arguments are empty.
private func withArgv<Result>(
    _ command: [[UInt8]],
    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
) -> Result {
    // An empty multibulk gets no reply from Redis, which would leave the connection waiting.
    precondition(!command.isEmpty, "a Redis command needs at least its name")
    let lengths = command.map(\.count)
    let storage = Array(command.joined()) + [0]
    return storage.withUnsafeBytes { bytes in
        let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        var offset = 0
        var argv: [UnsafePointer<CChar>?] = lengths.map { length in
            defer { offset += length }
            return base + offset
        }
        return argv.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { lengths in
                body(Int32(command.count), argv.baseAddress!, lengths.baseAddress!)
            }
        }
    }
}

extension RedisValue {
    /// Copies a hiredis reply tree; an error reply anywhere in it becomes the failure.
    fileprivate static func decode(_ reply: UnsafePointer<redisReply>) -> Result<RedisValue, RedisError> {
        let reply = reply.pointee
        switch reply.type {
        case REDIS_REPLY_NIL:
            return .success(.null)
        case REDIS_REPLY_INTEGER:
            return .success(.integer(Int(reply.integer)))
        case REDIS_REPLY_STRING:
            return .success(.bulkString(Array(UnsafeRawBufferPointer(start: reply.str, count: reply.len))))
        case REDIS_REPLY_STATUS:
            return .success(.status(text(of: reply)))
        case REDIS_REPLY_ERROR:
            return .failure(.server(text(of: reply)))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                switch decode(reply.element[index]!) {
                case .success(let element): elements.append(element)
                case .failure(let error): return .failure(error)
                }
            }
            return .success(.array(elements))
        default:
            return .failure(.protocolError("unknown reply type \(reply.type)"))
        }
    }

    private static func text(of reply: redisReply) -> String {
        String(decoding: UnsafeRawBufferPointer(start: reply.str, count: reply.len), as: UTF8.self)
    }
}

extension timeval {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: .init(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
    }
}
