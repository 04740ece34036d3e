import Testing
import Timekeeping
@testable import TranscodelyEngine

/// GCRA with a test clock: no test sleeps.
@Suite(.timeLimit(.minutes(5))) struct RateLimiterTests {
    @Test func standardTierAllowsABurstOf200ThenRefusesWithRetryAfter() throws {
        let clock = TestClock()
        let limiter = RateLimiter(clock: clock.source)
        for i in 0..<200 {
            let decision = try #require(limiter.admit(app: "a", tier: .standard))
            #expect(decision.allowed, "request \(i)")
            #expect(decision.remaining == 199 - i)
        }
        let refused = try #require(limiter.admit(app: "a", tier: .standard))
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 1)
        #expect(refused.remaining == 0)
        // One emission interval (10 ms) later, exactly one more request fits.
        clock.advance(by: .seconds(0.010))
        #expect(limiter.admit(app: "a", tier: .standard)?.allowed == true)
        #expect(limiter.admit(app: "a", tier: .standard)?.allowed == false)
    }

    @Test func sustainedRateIsTheTiersRate() {
        let clock = TestClock()
        let limiter = RateLimiter(clock: clock.source)
        // Drain the burst, then offer 1,000 requests/s for 10 s: 100/s get through.
        while limiter.admit(app: "a", tier: .standard)?.allowed == true {}
        var allowed = 0
        for _ in 0..<10_000 {
            clock.advance(by: .seconds(0.001))
            if limiter.admit(app: "a", tier: .standard)?.allowed == true { allowed += 1 }
        }
        #expect((999...1001).contains(allowed))
    }

    @Test func appsAreLimitedApartAndPremiumHasItsOwnBudget() {
        let clock = TestClock()
        let limiter = RateLimiter(clock: clock.source)
        var premium = 0
        while limiter.admit(app: "p", tier: .premium)?.allowed == true { premium += 1 }
        #expect(premium == 1000)
        #expect(limiter.admit(app: "other", tier: .standard)?.allowed == true)
        #expect(limiter.admit(app: "x", tier: .unlimited) == nil)
    }

    @Test func anIdleBucketRefillsToTheBurstAndNoFurther() {
        let clock = TestClock()
        let limiter = RateLimiter(clock: clock.source)
        while limiter.admit(app: "a", tier: .standard)?.allowed == true {}
        clock.advance(by: .seconds(60))
        var count = 0
        while limiter.admit(app: "a", tier: .standard)?.allowed == true { count += 1 }
        #expect(count == 200)
    }
}
