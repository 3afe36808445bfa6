import Contracts
import Foundation
import Logging
import Redis
import TestSupport
import Testing

/// Sessions live in `auth`'s database; Redis only caches the live ones. What a Redis crash or a
/// failover does to that cache is done here by hand, key by key, on the shared test stack: the
/// fault suites do it with SIGKILL.
@Suite struct SessionRecordTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    /// A session's key lost (as a crash after the last flush loses it): the user stays signed in,
    /// and the key is back after the first request.
    @Test func aSessionWhoseKeyIsLostStaysSignedIn() async throws {
        let session = try await accounts.login(try await accounts.activeClient())
        let key = SessionKeys.session(try Self.sessionID(of: session))
        try await withRedis { redis in
            #expect(try await redis.delete([key]) == 1)
            let me = try await api.get("/api/v1/auth/me", token: session.access)
            #expect(me.status == 200, "\(me.text)")
            #expect(try await redis.exists(key))
            #expect((1...1800).contains(try await redis.ttl(key)))
        }
        // The refresh token still works too: it is checked in the database.
        #expect(try await api.post("/api/v1/auth/refresh", ["refresh_token": session.refresh]).status == 200)
    }

    /// A sign-out that Redis lost: the ended session's key is back (as an append-only file replayed
    /// to before the deletion, or a replica promoted before it arrived), on a server `auth` has
    /// not synced. The token stays refused, and `auth` deletes the key again within seconds.
    @Test func aSignOutRedisLostIsNotForgotten() async throws {
        let session = try await accounts.login(try await accounts.activeClient())
        let key = SessionKeys.session(try Self.sessionID(of: session))
        #expect(try await api.post("/api/v1/auth/logout", [:], token: session.access).status == 204)
        #expect(try await api.get("/api/v1/auth/me", token: session.access).status == 401)
        try await withRedis { redis in
            try await redis.set(key, "1", expiresIn: .seconds(600))
            try await redis.set(SessionKeys.synced, "a server that restarted since")
            let me = try await api.get("/api/v1/auth/me", token: session.access)
            #expect(me.status == 401, "\(me.text)")
            #expect(me.problemType?.hasSuffix("revoked-token") == true, "\(me.text)")
            #expect(await eventually(timeout: .seconds(10), every: .milliseconds(200)) { (try? await redis.exists(key)) == false })
            #expect(try await redis.get(SessionKeys.synced) != "a server that restarted since")
        }
        #expect(try await api.get("/api/v1/auth/me", token: session.access).status == 401)
    }

    private static func sessionID(of session: (access: String, refresh: String)) throws -> String {
        String(try #require(session.refresh.split(separator: ".").first))
    }

    private func withRedis(_ body: (RedisClient) async throws -> Void) async throws {
        let redis = try RedisClient(url: TestEnvironment.require("REDIS_URL"), logger: Logger(label: "test"))
        do {
            try await body(redis)
            try await redis.shutdown()
        } catch {
            try? await redis.shutdown()
            throw error
        }
    }
}
