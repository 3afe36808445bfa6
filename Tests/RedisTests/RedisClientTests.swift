import Foundation
import Logging
import Redis
import Testing

/// The server under test. The project's test script sets `REDIS_URL`; without it every test fails.
private func redisURL() throws -> String {
    try #require(
        ProcessInfo.processInfo.environment["REDIS_URL"],
        "REDIS_URL is not set: start a Redis server and run e.g. REDIS_URL=redis://127.0.0.1:6390 swift test")
}

/// Runs `body` with a fresh client and always shuts it down.
private func withClient<Result>(
    url: String? = nil, poolSize: Int = 4, _ body: (RedisClient) async throws -> Result
) async throws -> Result {
    let client = try RedisClient(
        url: try url ?? redisURL(), poolSize: poolSize, connectTimeout: .milliseconds(500),
        logger: Logger(label: "RedisTests"))
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Keys unique to one test, since tests run in parallel against one server.
private func keyPrefix() -> String { "redis-tests:\(UUID().uuidString):" }

@Suite struct RedisClientTests {
    @Test func setAndGetRoundTripIsBinarySafe() async throws {
        let prefix = keyPrefix()
        try await withClient { redis async throws in
            let text = "line one\nline two\r\n  with spaces \u{0} nul, ünïcödé and \"quotes\" "
            #expect(try await redis.set(prefix + "text", text))
            #expect(try await redis.get(prefix + "text") == text)
            #expect(try await redis.get(prefix + "missing") == nil)

            let bytes = (0...255).map { UInt8($0) } + [0, 13, 10]
            try await redis.send([Array("SET".utf8), Array((prefix + "bytes").utf8), bytes])
            #expect(try await redis.send([Array("GET".utf8), Array((prefix + "bytes").utf8)]) == .bulkString(bytes))
            #expect(try await redis.send(["SET", prefix + "empty", ""]) == .status("OK"))
            #expect(try await redis.get(prefix + "empty") == "")
        }
    }

    @Test func setOnlyIfAbsentKeepsTheFirstValue() async throws {
        let key = keyPrefix() + "nx"
        try await withClient { redis async throws in
            #expect(try await redis.set(key, "first", onlyIfAbsent: true))
            #expect(try await redis.set(key, "second", onlyIfAbsent: true) == false)
            #expect(try await redis.get(key) == "first")
            #expect(try await redis.set(key, "third"))
            #expect(try await redis.get(key) == "third")
        }
    }

    @Test func expiryAndTimeToLive() async throws {
        let prefix = keyPrefix()
        try await withClient { redis async throws in
            try await redis.set(prefix + "ex", "v", expiresIn: .seconds(10))
            #expect((1...10).contains(try await redis.ttl(prefix + "ex")))

            try await redis.set(prefix + "plain", "v")
            #expect(try await redis.ttl(prefix + "plain") == -1)
            #expect(try await redis.expire(prefix + "plain", seconds: 100))
            #expect((90...100).contains(try await redis.ttl(prefix + "plain")))
            #expect(try await redis.ttl(prefix + "missing") == -2)
            #expect(try await redis.expire(prefix + "missing", seconds: 100) == false)

            // A sub-second expiry really expires: poll briefly instead of sleeping a fixed time.
            try await redis.set(prefix + "short", "v", expiresIn: .milliseconds(50))
            let deadline = ContinuousClock.now + .seconds(2)
            while try await redis.exists(prefix + "short"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await redis.exists(prefix + "short") == false)
        }
    }

    @Test func incrementAndDelete() async throws {
        let prefix = keyPrefix()
        try await withClient { redis async throws in
            #expect(try await redis.increment(prefix + "counter") == 1)
            #expect(try await redis.increment(prefix + "counter") == 2)
            #expect(try await redis.get(prefix + "counter") == "2")
            try await redis.set(prefix + "other", "x")
            #expect(try await redis.exists(prefix + "other"))
            #expect(try await redis.delete([prefix + "counter", prefix + "other", prefix + "missing"]) == 2)
            #expect(try await redis.exists(prefix + "other") == false)
            #expect(try await redis.delete([]) == 0)
        }
    }

    @Test func pipelineKeepsOtherRepliesWhenOneCommandFails() async throws {
        let key = keyPrefix() + "p"
        try await withClient(poolSize: 1) { redis async throws in
            let results = try await redis.pipeline([
                ["SET", key, "not a number"],
                ["INCR", key],
                ["GET", key],
                ["PING"],
            ])
            #expect(results.count == 4)
            #expect(try results[0].get() == .status("OK"))
            guard case .failure(.server(let message)) = results[1] else {
                Issue.record("expected an error reply, got \(results[1])")
                return
            }
            #expect(message.hasPrefix("ERR value is not an integer"))
            #expect(try results[2].get() == .bulkString(Array("not a number".utf8)))
            #expect(try results[3].get() == .status("PONG"))
            // The connection is still in step with the server.
            #expect(try await redis.get(key) == "not a number")
            #expect(try await redis.pipeline([]).isEmpty)
        }
    }

    @Test func scriptsRunByDigestAndReloadAfterFlush() async throws {
        let key = keyPrefix() + "script"
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        try await withClient { redis async throws in
            // Our digest is the one Redis computes.
            #expect(try await redis.send(["SCRIPT", "LOAD", script.source]) == .bulkString(Array(script.sha1.utf8)))
            #expect(try await redis.evaluate(script, keys: [key], arguments: ["5"]) == .integer(5))

            // NOSCRIPT path: after a flush, evaluate loads the script again and succeeds.
            try await redis.send(["SCRIPT", "FLUSH"])
            #expect(try await redis.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
            #expect(try await redis.evaluate(script, keys: [key], arguments: ["2"]) == .integer(7))
            #expect(try await redis.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))

            // An error raised by the script is a server error, not a NOSCRIPT retry.
            let failing = RedisScript("return redis.error_reply('custom failure')")
            await #expect(throws: RedisError.server("custom failure")) {
                try await redis.evaluate(failing)
            }
        }
    }

    @Test func sha1MatchesKnownVectors() {
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(
            RedisScript(String(repeating: "a", count: 1_000)).sha1 == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func manyConcurrentCommandsOverASmallPool() async throws {
        let prefix = keyPrefix()
        try await withClient(poolSize: 4) { redis async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<500 {
                    group.addTask {
                        try await redis.set(prefix + "k\(i)", "value \(i)")
                        let value = try await redis.get(prefix + "k\(i)")
                        #expect(value == "value \(i)")
                        try await redis.increment(prefix + "counter")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await redis.get(prefix + "counter") == "500")
        }
    }

    @Test func errorReplyIsThrownAndTheClientKeepsWorking() async throws {
        let key = keyPrefix() + "text"
        try await withClient(poolSize: 1) { redis async throws in
            try await redis.set(key, "abc")
            let error = await #expect(throws: RedisError.self) { try await redis.increment(key) }
            #expect(error == .server("ERR value is not an integer or out of range"))
            #expect(error?.description == "Redis error reply: ERR value is not an integer or out of range")
            await #expect(throws: RedisError.self) { try await redis.send(["NO-SUCH-COMMAND"]) }
            try await redis.ping()
            #expect(try await redis.get(key) == "abc")
        }
    }

    @Test func reconnectsAfterTheServerKillsTheConnection() async throws {
        let key = keyPrefix() + "k"
        try await withClient(poolSize: 1) { admin async throws in
            try await withClient(poolSize: 1) { redis async throws in
                try await redis.set(key, "before")
                let firstID = try #require(try await redis.send(["CLIENT", "ID"]).intValue)
                // Kill by ID rather than `TYPE normal`, which would also cut the tests running in parallel.
                #expect(try await admin.send(["CLIENT", "KILL", "ID", String(firstID)]) == .integer(1))

                #expect(try await redis.get(key) == "before")
                try await redis.set(key, "after")
                #expect(try await redis.get(key) == "after")
                let secondID = try #require(try await redis.send(["CLIENT", "ID"]).intValue)
                #expect(secondID != firstID)
            }
        }
    }

    @Test(.enabled(if: RedisServerProcess.executable != nil, "needs redis-server on PATH"))
    func failsFastWhileRedisIsDownAndRecoversWhenItReturns() async throws {
        let port = Int.random(in: 20_000..<30_000)
        try await withClient(url: "redis://127.0.0.1:\(port)", poolSize: 2) { redis async throws in
            // Nothing listens yet: a clear error, twice (the second within the backoff window).
            // That both come back before any server exists shows a refused connection fails
            // rather than waits; how fast is the benchmarks' business, not a timed assertion's.
            let error = await #expect(throws: RedisError.self) { try await redis.ping() }
            guard case .connectionFailed? = error else {
                Issue.record("expected connectionFailed, got \(String(describing: error))")
                return
            }
            await #expect(throws: RedisError.self) { try await redis.ping() }

            let server = try RedisServerProcess(port: port)
            defer { server.stop() }
            try await eventually { try await redis.ping() }
            try await redis.set("k", "v")

            // Crash and restart: the idle connection is dead; the client reconnects by itself.
            server.stop()
            await #expect(throws: RedisError.self) { try await redis.get("k") }
            let restarted = try RedisServerProcess(port: port)
            defer { restarted.stop() }
            try await eventually { try await redis.ping() }
            try await redis.set("k", "again")
            #expect(try await redis.get("k") == "again")
        }
    }

    @Test func urlSelectsTheDatabaseAndSendsAuth() async throws {
        var url = try #require(URLComponents(string: try redisURL()))
        let key = keyPrefix() + "db"
        url.path = "/3"
        try await withClient(url: url.string) { redis async throws in
            try await redis.set(key, "in db 3")
            #expect(try await redis.send(["CLIENT", "INFO"]).stringValue?.contains(" db=3 ") == true)
        }
        try await withClient { redis async throws in
            #expect(try await redis.exists(key) == false)
        }
        try await withClient(url: url.string) { redis async throws in
            #expect(try await redis.delete([key]) == 1)
        }

        // The test server has no password, so AUTH is refused and the connection fails clearly.
        url.user = ""
        url.password = "wrong"
        try await withClient(url: url.string) { redis async throws in
            let error = await #expect(throws: RedisError.self) { try await redis.ping() }
            guard case .connectionFailed(_, let reason)? = error else {
                Issue.record("expected connectionFailed, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("AUTH"))
        }

        #expect(throws: RedisError.invalidURL("http://localhost")) {
            try RedisClient(url: "http://localhost", logger: Logger(label: "RedisTests"))
        }
    }

    @Test func scriptsCanBeGivenTheServersRunID() async throws {
        let echo = RedisScript("return ARGV[#ARGV]")
        try await withClient { redis async throws in
            let info = try #require(try await redis.send(["INFO", "server"]).stringValue)
            let runID = try #require(info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("run_id:") }?.dropFirst(7))
            #expect(try await redis.evaluate(echo, arguments: ["first"], appendingRunID: true).stringValue == String(runID))
            #expect(try await redis.evaluate(echo, arguments: ["first"]).stringValue == "first")
        }
    }

    /// A primary, its replica and a sentinel: the client asks the sentinel where the primary is,
    /// and after the primary is killed (SIGKILL) it follows the sentinel's failover to the
    /// replica by itself, which has the data written before and a run id of its own.
    @Test(.enabled(if: RedisServerProcess.executable != nil, "needs redis-server on PATH"))
    func followsTheSentinelsThroughAFailover() async throws {
        let base = Int.random(in: 30_000..<40_000)
        let (primaryPort, replicaPort, sentinelPort) = (base, base + 1, base + 2)
        var primary: RedisServerProcess? = try RedisServerProcess(port: primaryPort)
        defer { primary?.stop() }
        let replica = try RedisServerProcess(port: replicaPort, arguments: ["--replicaof", "127.0.0.1", String(primaryPort)])
        defer { replica.stop() }
        let sentinel = try RedisServerProcess(sentinelPort: sentinelPort, watching: primaryPort, named: "tests")
        defer { sentinel.stop() }
        // The sentinel learns of the replica from the primary's INFO, which it reads every 10 s.
        try await withClient(url: "redis://127.0.0.1:\(sentinelPort)") { sentinel async throws in
            try await eventually(within: .seconds(30)) {
                let replicas = try await sentinel.send(["SENTINEL", "replicas", "tests"]).arrayValue ?? []
                if replicas.isEmpty { throw NotYet() }
            }
        }
        // The primary sends its first copy after a delay (repl-diskless-sync-delay, 5 s).
        try await withClient(url: "redis://127.0.0.1:\(replicaPort)") { replica async throws in
            try await eventually(within: .seconds(30)) {
                let info = try await replica.send(["INFO", "replication"]).stringValue ?? ""
                if !info.contains("master_link_status:up") { throw NotYet() }
            }
        }
        let runID = RedisScript("return ARGV[#ARGV]")
        try await withClient(url: "redis+sentinel://127.0.0.1:\(sentinelPort + 100),127.0.0.1:\(sentinelPort)/tests") {
            redis async throws in
            try await eventually { try await redis.set("k", "before the failover") }
            let before = try await redis.evaluate(runID, appendingRunID: true).stringValue
            #expect(try await redis.send(["WAIT", "1", "2000"]) == .integer(1))

            primary?.stop()
            primary = nil
            try await eventually(within: .seconds(30)) { try await redis.set("k2", "after the failover") }
            #expect(try await redis.get("k") == "before the failover")
            #expect(try await redis.evaluate(runID, appendingRunID: true).stringValue != before)
            try await withClient(url: "redis://127.0.0.1:\(replicaPort)") { promoted async throws in
                #expect(try await promoted.send(["INFO", "replication"]).stringValue?.contains("role:master") == true)
                #expect(try await promoted.get("k2") == "after the failover")
            }
        }
        #expect(throws: RedisError.invalidURL("redis+sentinel://127.0.0.1:1")) {
            try RedisClient(url: "redis+sentinel://127.0.0.1:1", logger: Logger(label: "RedisTests"))
        }
    }

    @Test func commandsAfterShutdownFail() async throws {
        let redis = try RedisClient(url: try redisURL(), logger: Logger(label: "RedisTests"))
        try await redis.ping()
        try await redis.shutdown()
        await #expect(throws: RedisError.poolClosed) { try await redis.ping() }
        try await redis.shutdown()
    }
}

/// What a condition polled with ``eventually(within:_:)`` throws while it does not hold yet.
private struct NotYet: Error {}

/// Retries `body` every 20 ms until it succeeds, for at most `limit` (then rethrows its error).
private func eventually(within limit: Duration = .seconds(3), _ body: () async throws -> Void) async throws {
    let deadline = ContinuousClock.now + limit
    while true {
        do {
            return try await body()
        } catch  where ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A throwaway redis-server without persistence (or a sentinel), for tests that stop and start
/// servers.
private final class RedisServerProcess {
    static let executable = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").map { "\($0)/redis-server" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private let process = Process()

    init(port: Int, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: try #require(Self.executable))
        // In the temporary folder: a replica writes the copy it receives to disk, even unsaved.
        process.arguments =
            [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", FileManager.default.temporaryDirectory.path,
            ] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// A sentinel watching the primary on `primaryPort` alone (quorum 1), quick to fail over. It
    /// rewrites its configuration file, so that lives in a folder of its own.
    init(sentinelPort: Int, watching primaryPort: Int, named name: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-\(sentinelPort)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let configuration = folder.appendingPathComponent("sentinel.conf")
        try """
        port \(sentinelPort)
        bind 127.0.0.1
        dir \(folder.path)
        sentinel monitor \(name) 127.0.0.1 \(primaryPort) 1
        sentinel down-after-milliseconds \(name) 500
        sentinel failover-timeout \(name) 3000
        """.write(to: configuration, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: try #require(Self.executable))
        process.arguments = [configuration.path, "--sentinel"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Kills the server like a crash would. SIGKILL, because the child inherits the spawning
    /// thread's signal mask, in which SIGTERM is blocked.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
