import Foundation
import Testing

/// A browser path that names nothing gets the site's 404 page; an API path keeps its problem.
@Suite struct NotFoundPageTests {
    let api: API

    init() throws {
        api = try API()
    }

    @Test func browserPathsGetTheNotFoundPage() async throws {
        let home = try await api.get("/")
        let pagePolicy = try #require(home.headers.first(name: "Content-Security-Policy"))
        for path in ["/nope", "/app/nope", "/app/nope/deeper.html"] {
            let reply = try await api.get(path)
            #expect(reply.status == 404, "\(path)")
            #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true, "\(path)")
            // The same policy as every page: its own styles only, no inline script or style.
            #expect(reply.headers.first(name: "Content-Security-Policy") == pagePolicy, "\(path)")
            #expect(reply.text.contains("Page not found"), "\(path)")
            #expect(reply.text.contains("href=\"/app/\"") && reply.text.contains("href=\"/\""), "\(path)")
            #expect(!reply.text.contains("<script") && !reply.text.contains("<style") && !reply.text.contains("style="), "\(path)")
        }
    }

    @Test func apiPathsKeepTheirProblem() async throws {
        let reply = try await api.get("/api/v1/nope")
        #expect(reply.status == 404)
        #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
        #expect(reply["type"] == "/problems/not-found")
    }
}
