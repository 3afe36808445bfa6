import Logging
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An async Redis client over hiredis with a pool of blocking connections.
///
/// Each in-flight command holds one connection; the blocking hiredis calls run on a thread pool
/// owned by the client, never on Swift's cooperative pool. A connection that hits an I/O or
/// protocol error is dropped and the next command reconnects (with AUTH and SELECT), so the
/// client recovers by itself after a Redis restart. Call ``shutdown()`` before releasing it.
public final class RedisClient: Sendable {
    private let pool: ConnectionPool
    private let connector: Connector
    private let threadPool: NIOThreadPool

    /// Creates a client; connections open lazily, on first use.
    ///
    /// - Parameters:
    ///   - url: `redis://[[user]:password@]host[:port][/db]` (port 6379 and db 0 by default), or
    ///     `redis+sentinel://[[user]:password@]host:port,…/primary-name[/db]` to follow the primary
    ///     that sentinels name, through failovers.
    ///   - poolSize: the most commands in flight at once (one connection and one thread each).
    ///   - connectTimeout: how long opening a connection may take.
    ///   - commandTimeout: how long one command (or pipeline read) may wait on the socket.
    /// - Throws: ``RedisError/invalidURL(_:)`` when `url` is neither form.
    public init(
        url: String, poolSize: Int = 4, connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5), logger: Logger
    ) throws(RedisError) {
        precondition(poolSize > 0, "poolSize must be positive")
        // hiredis writes with plain write(2): a server closing the socket must surface as an
        // I/O error, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        connector = Connector(
            endpoint: try RedisEndpoint(url: url), connectTimeout: connectTimeout,
            commandTimeout: commandTimeout, logger: logger)
        pool = ConnectionPool(size: poolSize)
        threadPool = NIOThreadPool(numberOfThreads: poolSize)
        threadPool.start()
    }

    /// Closes all connections and stops the threads. Commands still waiting for a connection
    /// fail with ``RedisError/poolClosed``; calling it again does nothing.
    public func shutdown() async throws {
        guard pool.close() else { return }
        try await threadPool.shutdownGracefully()
    }

    /// Sends one command, e.g. `["HSET", "h", "field", "value"]`. An error reply is thrown as
    /// ``RedisError/server(_:)``.
    ///
    /// - Parameter command: the command's name and arguments; never empty (a precondition: Redis
    ///   does not answer an empty command).
    /// - Returns: the reply, which is never an error reply.
    /// - Throws: ``RedisError/server(_:)`` for an error reply; ``RedisError/connectionFailed(address:reason:)``
    ///   while Redis cannot be reached (at once, during the backoff); ``RedisError/io(_:)`` or
    ///   ``RedisError/protocolError(_:)`` when the connection broke, after which whether the
    ///   command ran is unknown; ``RedisError/poolClosed`` after ``shutdown()``; `CancellationError`
    ///   when the task is cancelled while it waits for a connection.
    @discardableResult
    public func send(_ command: [String]) async throws -> RedisValue {
        try await send(command.map { Array($0.utf8) })
    }

    /// Sends one command whose arguments are raw bytes (binary-safe).
    ///
    /// - Throws: as ``send(_:)-([String])``.
    @discardableResult
    public func send(_ command: [[UInt8]]) async throws -> RedisValue {
        try await withConnection { connection throws(RedisError) in try connection.run(command) }
    }

    /// Sends all commands on one connection in a single write, then reads their replies.
    ///
    /// The result has one entry per command, in order; an error reply fails only its own entry.
    /// The call itself throws only when the connection fails, since later replies are then unknown.
    public func pipeline(_ commands: [[String]]) async throws -> [Result<RedisValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        let encoded = commands.map { $0.map { Array($0.utf8) } }
        return try await withConnection { connection throws(RedisError) in try connection.pipeline(encoded) }
    }

    /// Runs `body` with a connection of its own on the thread pool, then returns the connection
    /// to the pool, or drops it if it broke.
    private func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> Value
    ) async throws -> Value {
        let idle = try await pool.checkout()
        let connector = connector
        let outcome: (connection: RedisConnection?, result: Result<Value, RedisError>)
        do {
            outcome = try await threadPool.runIfActive {
                let connection: RedisConnection
                do throws(RedisError) {
                    connection = try connector.connection(reusing: idle)
                } catch {
                    return (nil, .failure(error))
                }
                let result = Result { () throws(RedisError) in try body(connection) }
                return (connection.isUsable ? connection : nil, result)
            }
        } catch {
            // The work item never ran (task cancelled, or shutdown while queued): `idle` is
            // untouched and can go back.
            pool.checkin(idle)
            throw pool.isClosed ? RedisError.poolClosed : error
        }
        pool.checkin(outcome.connection)
        return try outcome.result.get()
    }
}

extension RedisClient {
    /// Answers whether Redis replies to PING.
    public func ping() async throws {
        let reply = try await send(["PING"])
        guard reply == .status("PONG") else { throw RedisError.unexpectedReply(command: "PING", reply: reply) }
    }

    /// The value of `key` decoded as UTF-8, or `nil` if there is no such key.
    public func get(_ key: String) async throws -> String? {
        let reply = try await send(["GET", key])
        if reply == .null { return nil }
        guard case .bulkString = reply else { throw RedisError.unexpectedReply(command: "GET", reply: reply) }
        return reply.stringValue
    }

    /// Sets `key` to `value`; returns whether it was set (`false` only when `onlyIfAbsent` and the
    /// key exists).
    ///
    /// - Parameters:
    ///   - expiresIn: time to live, sent in milliseconds (`PX`) so sub-second durations keep their
    ///     meaning; `nil` keeps the key forever.
    ///   - onlyIfAbsent: `NX`: set only if the key does not exist yet.
    @discardableResult
    public func set(
        _ key: String, _ value: String, expiresIn: Duration? = nil, onlyIfAbsent: Bool = false
    ) async throws -> Bool {
        var command = ["SET", key, value]
        if let expiresIn { command += ["PX", String(expiresIn.roundedUpMilliseconds)] }
        if onlyIfAbsent { command.append("NX") }
        switch try await send(command) {
        case .status("OK"): return true
        case .null: return false
        case let reply: throw RedisError.unexpectedReply(command: "SET", reply: reply)
        }
    }

    /// Deletes `keys`; returns how many existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await integer(["DEL"] + keys)
    }

    /// Whether `key` exists.
    public func exists(_ key: String) async throws -> Bool {
        try await integer(["EXISTS", key]) > 0
    }

    /// Adds 1 to the integer at `key` (missing counts as 0); returns the new value.
    @discardableResult
    public func increment(_ key: String) async throws -> Int {
        try await integer(["INCR", key])
    }

    /// Sets a time to live on `key`; returns `false` if there is no such key.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await integer(["EXPIRE", key, String(seconds)]) == 1
    }

    /// Seconds left to live for `key`: -1 if it has no expiry, -2 if it does not exist.
    public func ttl(_ key: String) async throws -> Int {
        try await integer(["TTL", key])
    }

    /// Runs `script` with EVALSHA; if Redis does not have it cached (NOSCRIPT: after a restart, a
    /// failover or SCRIPT FLUSH), sends it whole with EVAL, which also caches it again.
    ///
    /// - Parameters:
    ///   - keys: the script's `KEYS`, in order.
    ///   - arguments: the script's `ARGV`, in order.
    ///   - appendingRunID: appends the run id of the server that runs the script to
    ///     `arguments`. A script that compares it with one stored earlier tells whether the server
    ///     restarted or was failed over since, and so may have lost writes made before.
    /// - Returns: the script's reply, converted as Redis converts Lua values (a Lua array becomes an
    ///   array, a number an integer, `false` a null).
    /// - Throws: as ``send(_:)-([String])``; ``RedisError/server(_:)`` also when the script fails.
    @discardableResult
    public func evaluate(
        _ script: RedisScript, keys: [String] = [], arguments: [String] = [], appendingRunID: Bool = false
    ) async throws -> RedisValue {
        let tail = [String(keys.count)] + keys + arguments
        let (sha1, source) = (script.sha1, script.source)
        return try await withConnection { connection throws(RedisError) in
            let tail = appendingRunID ? tail + [connection.runID] : tail
            do throws(RedisError) {
                return try connection.run(["EVALSHA", sha1] + tail)
            } catch .server(let message) where message.hasPrefix("NOSCRIPT") {
                return try connection.run(["EVAL", source] + tail)
            }
        }
    }

    private func integer(_ command: [String]) async throws -> Int {
        let reply = try await send(command)
        guard let value = reply.intValue else { throw RedisError.unexpectedReply(command: command[0], reply: reply) }
        return value
    }
}

extension Duration {
    /// Whole milliseconds, rounding any remainder up so a short positive duration never becomes 0.
    fileprivate var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (milliseconds, remainder) = attoseconds.quotientAndRemainder(dividingBy: attosecondsPerMillisecond)
        return seconds * 1000 + milliseconds + (remainder > 0 ? 1 : 0)
    }
}
