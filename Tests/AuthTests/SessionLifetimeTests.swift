import Testing

@testable import Auth

@Suite struct SessionLifetimeTests {
    let lifetime = SessionLifetime(absoluteSeconds: 12 * 3600, idleSeconds: 30 * 60)

    @Test func aSessionInUseLivesTheIdleLimitPastEachUse() {
        #expect(lifetime.secondsLeft(now: 1_000, end: 1_000 + 12 * 3600) == 1800)
    }

    @Test func nearItsEndASessionLivesOnlyUntilTheEnd() {
        #expect(lifetime.secondsLeft(now: 1_000, end: 1_600) == 600)
        #expect(lifetime.secondsLeft(now: 1_000, end: 1_001) == 1)
    }

    @Test func pastItsEndASessionIsOver() {
        #expect(lifetime.secondsLeft(now: 1_000, end: 1_000) == 0)
        #expect(lifetime.secondsLeft(now: 1_000, end: 0) == 0)
    }
}
