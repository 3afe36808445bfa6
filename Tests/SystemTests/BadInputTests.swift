import Foundation
import Testing

/// Whatever a client sends, it gets the documented 4xx problem, never a 5xx.
@Suite struct BadInputTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    private func expectProblem(_ reply: API.Reply, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers["Content-Type"].first == "application/problem+json", sourceLocation: sourceLocation)
        #expect(reply.json["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect(reply.json["title"] is String, sourceLocation: sourceLocation)
    }

    @Test func malformedJSONIsABadRequest() async throws {
        expectProblem(try await api.send(.POST, "/api/v1/auth/login", body: #"{"email": "#), 400)
        expectProblem(try await api.send(.POST, "/api/v1/auth/register", body: "[]"), 422)  // well-formed, not an object
        expectProblem(try await api.send(.POST, "/api/v1/auth/register", body: ""), 400)
    }

    /// Found by the API fuzzer: a part header name with a byte outside ASCII made MultipartKit
    /// trap, taking the gateway down. It is a 400 now, and the gateway goes on.
    @Test func aMultipartHeaderNameOutsideASCIIIsABadRequest() async throws {
        let client = try await accounts.login(try await accounts.activeClient()).access
        let body =
            Array("--XyZ\r\nContent-Dispositi".utf8) + [0xC3, 0xB6] + Array("n: form-data; name=\"file\"\r\n\r\nx\r\n--XyZ--\r\n".utf8)
        let reply = try await api.sendBytes(
            .POST, "/api/v1/applications/\(UUID().uuidString)/documents", body: body, contentType: "multipart/form-data; boundary=XyZ",
            token: client)
        expectProblem(reply, 400)
        #expect(try await api.get("/healthz").status == 200)
    }

    @Test func theWrongContentTypeIsABadRequest() async throws {
        expectProblem(try await api.send(.POST, "/api/v1/auth/login", body: "{}", contentType: "text/plain"), 400)
        expectProblem(try await api.send(.POST, "/api/v1/auth/login", body: "{}", contentType: nil), 400)
    }

    @Test func missingFieldsAreNamed() async throws {
        let reply = try await api.post("/api/v1/auth/register", ["email": "a@b.example"])
        expectProblem(reply, 422)
        #expect(reply.fieldErrors == ["password"] || reply.fieldErrors == ["full_name"])
    }

    @Test func wrongTypesAreNamed() async throws {
        let reply = try await api.post("/api/v1/auth/register", ["email": 42, "password": "long enough!", "full_name": "A"])
        expectProblem(reply, 422)
        #expect(reply.fieldErrors == ["email"])
        expectProblem(try await api.post("/api/v1/auth/verify-otp", ["email": "a@b.example", "code": 123456]), 422)
    }

    @Test func invalidValuesAreListedField_by_field() async throws {
        let reply = try await api.post("/api/v1/auth/register", ["email": "nope", "password": "short", "full_name": ""])
        expectProblem(reply, 422)
        #expect(Set(reply.fieldErrors) == ["email", "password", "full_name"])
    }

    @Test func aDuplicateEmailIsAConflict() async throws {
        let email = try await accounts.register()
        let again = try await api.post(
            "/api/v1/auth/register", ["email": email.uppercased(), "password": "another password", "full_name": "B"])
        expectProblem(again, 409)
    }

    @Test func jsonThatParsersDisagreeOnIsABadRequest() async throws {
        let nested = String(repeating: #"{"a":"#, count: 200) + "1" + String(repeating: "}", count: 200)
        let duplicate = #"{"email": "a@example.com", "password": "a long password", "full_name": "A", "email": "b@example.com"}"#
        let huge = #"{"email": "a@example.com", "password": "a long password", "full_name": 1\#(String(repeating: "9", count: 5000))}"#
        for body in [nested, duplicate, huge] {
            let reply = try await api.send(.POST, "/api/v1/auth/register", body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.problemType == "/problems/malformed-body")
        }
        let nul = try await api.send(
            .POST, "/api/v1/auth/register", body: #"{"email": "a@example.com", "password": "a long password", "full_name": "Ada\u0000"}"#)
        #expect(nul.status == 400)
        var invalid = Array(#"{"email": "a@example.com", "password": "a long password", "full_name": ""#.utf8)
        invalid += [0xC3, 0x28] + Array(#""}"#.utf8)
        let reply = try await api.sendBytes(.POST, "/api/v1/auth/register", body: invalid, contentType: "application/json", token: nil)
        #expect(reply.status == 400)
    }

    @Test func aHugeBodyIsTooLarge() async throws {
        let huge = "{\"email\": \"" + String(repeating: "x", count: 2 * 1024 * 1024) + "\"}"
        expectProblem(try await api.send(.POST, "/api/v1/auth/login", body: huge), 413)
    }

    @Test func missingOrBadTokensAreUnauthorized() async throws {
        expectProblem(try await api.get("/api/v1/auth/me"), 401)
        expectProblem(try await api.get("/api/v1/auth/me", token: "not-a-jwt"), 401)
        expectProblem(try await api.get("/api/v1/auth/me", token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."), 401)
        expectProblem(try await api.send(.GET, "/api/v1/auth/me", headers: [("Authorization", "Basic YTpi")]), 401)
        expectProblem(try await api.post("/api/v1/auth/refresh", ["refresh_token": "made.up"]), 401)
        expectProblem(try await api.post("/api/v1/auth/refresh", ["refresh_token": "nodot"]), 401)
    }

    @Test func anUnknownRouteIsNotFound() async throws {
        expectProblem(try await api.get("/api/v1/no-such-thing"), 404)
    }

    @Test func theRequestIDIsEchoedOrMade() async throws {
        let echoed = try await api.send(.GET, "/healthz", headers: [("X-Request-Id", "trace-me-42")])
        #expect(echoed.headers["X-Request-Id"].first == "trace-me-42")
        let made = try await api.post("/api/v1/auth/login", ["email": 1])
        #expect(made.headers["X-Request-Id"].first?.isEmpty == false)
    }
}
