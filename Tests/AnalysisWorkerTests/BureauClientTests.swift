import Foundation
import Logging
import Testing

@testable import AnalysisWorker

/// The bureau client against a real HTTP server on loopback.
@Suite struct BureauClientTests {
    let customer = UUID()
    let clock = ManualClock()

    /// Attempts get 10 s by default: the tests count requests, and they run beside many others
    /// on two cores, where a timed-out attempt is retried and counted twice (at 0.8 s, and once at
    /// 3 s with two builds running beside the suite, the stub answered too late).
    private func bureauClient(
        _ url: String, timeout: Duration = .seconds(10), retries: Int = 2, failures: Int = 5, coolDown: Duration = .seconds(30)
    ) -> BureauClient {
        BureauClient(
            .init(baseURL: url, timeout: timeout, retries: retries),
            breaker: CircuitBreaker(.init(failureThreshold: failures, coolDown: coolDown), now: { [clock] in clock.now }),
            logger: Logger(label: "bureau-test"))
    }

    @Test func aScoreIsReturned() async throws {
        let lookup = try await StubBureau.serving({ _ in .score(712) }) { url, bureau in
            let lookup = await bureauClient(url).lookup(customer)
            #expect(bureau.requests == 1)
            return lookup
        }
        #expect(lookup == .score(712))
        #expect(lookup.score == 712)
    }

    @Test func noFileIsNoScoreButNoFailure() async throws {
        try await StubBureau.serving({ _ in .status(.notFound) }) { url, bureau in
            let client = bureauClient(url, failures: 2)
            for _ in 0..<3 { #expect(await client.lookup(customer) == .notFound) }
            #expect(bureau.requests == 3, "not retried, and the breaker stayed closed")
            #expect(client.breaker.state == .closed)
        }
    }

    @Test func aSlowBureauTimesOutIsRetriedAndGivenUpQuickly() async throws {
        // The bureau would answer a score, but only after 3 s: a lookup that waited for it would
        // get the score; one that keeps its deadline fails, after trying again. A second for each
        // attempt leaves a loaded machine time to connect (at 0.3 s, none reached it once).
        try await StubBureau.serving({ _ in .slow(.seconds(3)) }) { url, bureau in
            let lookup = await bureauClient(url, timeout: .seconds(1), retries: 2).lookup(customer)
            #expect(lookup == .failed)
            #expect(lookup.score == nil)
            // Each attempt's deadline covers connecting too, so on a loaded machine an attempt may
            // give up before its request reaches the server: at least the retry must have.
            #expect((2...3).contains(bureau.requests), "\(bureau.requests) requests")
        }
    }

    @Test func aServerErrorIsRetried() async throws {
        try await StubBureau.serving({ n in n == 1 ? .status(.serviceUnavailable) : .score(650) }) { url, bureau in
            #expect(await bureauClient(url).lookup(customer) == .score(650))
            #expect(bureau.requests == 2)
        }
    }

    @Test func aRefusalIsNotRetried() async throws {
        try await StubBureau.serving({ _ in .status(.unauthorized) }) { url, bureau in
            #expect(await bureauClient(url).lookup(customer) == .failed)
            #expect(bureau.requests == 1)
        }
    }

    @Test func anOutOfScaleScoreIsNotUsed() async throws {
        try await StubBureau.serving({ _ in .score(1200) }) { url, _ in
            #expect(await bureauClient(url).lookup(customer) == .failed)
        }
    }

    @Test func anUnreachableBureauIsNoScore() async {
        // Nothing listens on port 1 of loopback. (The HTTP client retries a refused connection
        // until the attempt's deadline.)
        #expect(await bureauClient("http://127.0.0.1:1", timeout: .milliseconds(100), retries: 1).lookup(customer) == .failed)
    }

    @Test func afterRepeatedFailuresTheBreakerStopsCallsReachingTheBureau() async throws {
        try await StubBureau.serving({ n in n <= 3 ? .status(.internalServerError) : .score(800) }) { url, bureau in
            let client = bureauClient(url, retries: 0, failures: 3, coolDown: .seconds(30))
            for _ in 0..<3 { #expect(await client.lookup(customer) == .failed) }
            #expect(client.breaker.state == .open)
            for _ in 0..<5 { #expect(await client.lookup(customer) == .shortCircuited) }
            #expect(bureau.requests == 3)

            // After the cool-down one trial reaches the bureau; it answers, and calls flow again.
            clock.advance(by: .seconds(30))
            #expect(await client.lookup(customer) == .score(800))
            #expect(client.breaker.state == .closed)
            #expect(await client.lookup(customer) == .score(800))
            #expect(bureau.requests == 5)
        }
    }

    @Test func theBreakerOpeningDuringRetriesEndsTheLookup() async throws {
        try await StubBureau.serving({ _ in .status(.badGateway) }) { url, bureau in
            let lookup = await bureauClient(url, retries: 4, failures: 2).lookup(customer)
            #expect(lookup == .failed)
            #expect(bureau.requests == 2)
        }
    }
}
