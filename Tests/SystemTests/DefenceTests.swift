import Foundation
import TestSupport
import Testing

/// The gateway's defences: rate limits, idempotency, CORS, security headers, the principal header.
@Suite struct DefenceTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    private func budget(_ name: String) throws -> Int {
        try #require(Int(try TestEnvironment.require(name)))
    }

    @Test func everyAddressHasABudget() async throws {
        let budget = try budget("GATEWAY_RATE_LIMIT_PER_IP")
        // Sixteen at a time: the budget's window is a minute from the first request, and one at a
        // time on a loaded machine took longer than that (the window rolled over).
        let api = api
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for lane in 0..<16 {
                group.addTask {
                    var statuses: [Int] = []
                    for _ in stride(from: lane, to: budget, by: 16) { statuses.append(try await api.get("/api/v1/auth/me").status) }
                    return statuses
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(statuses.count == budget)
        #expect(statuses.allSatisfy { $0 == 401 })
        let limited = try await api.get("/api/v1/auth/me")
        #expect(limited.status == 429)
        #expect(limited.headers["Retry-After"].first.flatMap(Int.init).map { (1...60).contains($0) } == true)
        // Another address is not affected.
        #expect(try await API().get("/api/v1/auth/me").status == 401)
    }

    @Test func everyUserHasABudget() async throws {
        let budget = try budget("GATEWAY_RATE_LIMIT_PER_USER")
        let token = try await accounts.login(try await accounts.activeClient()).access
        // Spread over addresses, so only the user's budget can run out.
        for number in 0..<budget {
            let reply = try await API(clientAddress: "198.19.\(number / 250).\(number % 250 + 1)").get("/api/v1/auth/me", token: token)
            try #require(reply.status == 200, "request \(number) answered \(reply.status)")
        }
        let limited = try await API().get("/api/v1/auth/me", token: token)
        #expect(limited.status == 429)
        #expect(limited.headers["Retry-After"].first != nil)
    }

    @Test func signInAttemptsAreLimitedPerAccount() async throws {
        let email = try await accounts.activeClient()
        var statuses: [Int] = []
        for number in 0..<11 {
            let client = try API(clientAddress: "198.20.0.\(number + 1)")
            statuses.append(try await client.post("/api/v1/auth/login", ["email": email, "password": accounts.password]).status)
        }
        // Verifying the email was the account's first attempt of the minute.
        #expect(statuses == Array(repeating: 200, count: 9) + [429, 429])
    }

    @Test func signInAttemptsAreLimitedPerAddress() async throws {
        // The budget is a one-minute window, and each refused sign-in costs a password hash: sent
        // one by one on a busy 2-core machine, 30 attempts have outlasted the window. Sent at once,
        // they all land in it.
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<30 {
                group.addTask { [api] in
                    let email = "nobody-\(UUID().uuidString.prefix(8))@test.example"
                    return try await api.post("/api/v1/auth/login", ["email": email, "password": "whatever it is"]).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 401, count: 30))
        let limited = try await api.post("/api/v1/auth/verify-otp", ["email": "x@test.example", "code": "123456"])
        #expect(limited.status == 429)
        #expect(limited.headers["Retry-After"].first != nil)
    }

    @Test func anIdempotencyKeyReturnsTheFirstAnswer() async throws {
        let key = UUID().uuidString
        let email = "idem-\(UUID().uuidString.prefix(8).lowercased())@test.example"
        let body: [String: Any] = ["email": email, "password": accounts.password, "full_name": "Idem Potent"]
        let first = try await api.post("/api/v1/auth/register", body, headers: [("Idempotency-Key", key)])
        let again = try await api.post("/api/v1/auth/register", body, headers: [("Idempotency-Key", key)])
        #expect(first.status == 201)
        #expect(again.status == 201)
        #expect(again["id"] == first["id"])
        #expect(again.headers["Idempotent-Replayed"].first == "true")
        var other = body
        other["full_name"] = "Someone Else"
        let conflicting = try await api.post("/api/v1/auth/register", other, headers: [("Idempotency-Key", key)])
        #expect(conflicting.status == 422)
        // Without the key, the same body is a new request: a duplicate email.
        #expect(try await api.post("/api/v1/auth/register", body).status == 409)
    }

    @Test func aClientCannotSendItsOwnPrincipal() async throws {
        let forged = #"{"user_id":"00000000-0000-0000-0000-000000000001","role":"super_admin","session_id":"x"}"#
        let anonymous = try await api.send(.GET, "/api/v1/users", headers: [("x-principal", forged)])
        #expect(anonymous.status == 401)
        let token = try await accounts.login(try await accounts.activeClient()).access
        let asClient = try await api.send(.GET, "/api/v1/users", token: token, headers: [("x-principal", forged)])
        #expect(asClient.status == 403)
        let me = try await api.send(.GET, "/api/v1/auth/me", token: token, headers: [("x-principal", forged)])
        #expect(me["role"] == "client")
    }

    @Test func securityHeadersAreOnEveryAnswer() async throws {
        for reply in [try await api.get("/healthz"), try await api.get("/api/v1/auth/me"), try await api.get("/api/v1/nothing")] {
            #expect(reply.headers["X-Content-Type-Options"].first == "nosniff")
            #expect(reply.headers["X-Frame-Options"].first == "DENY")
            #expect(reply.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
            #expect(reply.headers["Cache-Control"].first == "no-store")
        }
    }

    @Test func corsAnswersOnlyAllowedOrigins() async throws {
        let allowed = try #require(try TestEnvironment.require("GATEWAY_CORS_ORIGINS").split(separator: ",").first.map(String.init))
        let preflight = try await api.send(
            .OPTIONS, "/api/v1/auth/login",
            headers: [("Origin", allowed), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type")])
        #expect(preflight.status == 204)
        #expect(preflight.headers["Access-Control-Allow-Origin"].first == allowed)
        #expect(preflight.headers["Access-Control-Allow-Methods"].first?.contains("POST") == true)
        let simple = try await api.send(.GET, "/healthz", headers: [("Origin", allowed)])
        #expect(simple.headers["Access-Control-Allow-Origin"].first == allowed)
        let stranger = try await api.send(.GET, "/healthz", headers: [("Origin", "https://evil.example")])
        #expect(stranger.headers["Access-Control-Allow-Origin"].isEmpty)
    }
}
