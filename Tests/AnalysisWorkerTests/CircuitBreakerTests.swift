import Testing

@testable import AnalysisWorker

@Suite struct CircuitBreakerTests {
    let clock = ManualClock()
    let transitions = Recorded<CircuitBreaker.State>()

    private func breaker(failures: Int = 3, coolDown: Duration = .seconds(30)) -> CircuitBreaker {
        CircuitBreaker(
            .init(failureThreshold: failures, coolDown: coolDown), now: { [clock] in clock.now },
            onTransition: transitions.append)
    }

    private func fail(_ breaker: CircuitBreaker, times: Int) {
        for _ in 0..<times {
            #expect(breaker.permit())
            breaker.recordFailure()
        }
    }

    @Test func opensAfterTheThresholdOfConsecutiveFailures() {
        let breaker = breaker(failures: 3)
        fail(breaker, times: 2)
        #expect(breaker.state == .closed)
        fail(breaker, times: 1)
        #expect(breaker.state == .open)
        #expect(transitions.all == [.open])
    }

    @Test func aSuccessStartsTheCountAgain() {
        let breaker = breaker(failures: 3)
        fail(breaker, times: 2)
        #expect(breaker.permit())
        breaker.recordSuccess()
        fail(breaker, times: 2)
        #expect(breaker.state == .closed)
    }

    @Test func refusesCallsUntilTheCoolDownHasPassed() {
        let breaker = breaker(failures: 1, coolDown: .seconds(30))
        fail(breaker, times: 1)
        #expect(!breaker.permit())
        clock.advance(by: .seconds(29))
        #expect(!breaker.permit())
        #expect(breaker.state == .open)
    }

    @Test func afterTheCoolDownOneTrialCallGoesThroughAndItsSuccessCloses() {
        let breaker = breaker(failures: 1, coolDown: .seconds(30))
        fail(breaker, times: 1)
        clock.advance(by: .seconds(30))
        #expect(breaker.permit())
        #expect(breaker.state == .halfOpen)
        #expect(!breaker.permit(), "only one trial at a time")
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.permit())
        #expect(transitions.all == [.open, .halfOpen, .closed])
    }

    @Test func aFailedTrialOpensItForAnotherCoolDown() {
        let breaker = breaker(failures: 2, coolDown: .seconds(30))
        fail(breaker, times: 2)
        clock.advance(by: .seconds(31))
        #expect(breaker.permit())
        breaker.recordFailure()
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(29))
        #expect(!breaker.permit())
        clock.advance(by: .seconds(1))
        #expect(breaker.permit())
        #expect(transitions.all == [.open, .halfOpen, .open, .halfOpen])
    }
}
