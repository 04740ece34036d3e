import Synchronization
import Testing
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyClient
@testable import BatchKit

/// The pacer's schedule on a virtual clock: exact instants, no sleeping.
@Suite(.timeLimit(.minutes(5))) struct PacerTests {
    func grants(_ pacer: Pacer, _ count: Int, clock: TestClock) async throws -> [Duration] {
        var times: [Duration] = []
        for _ in 0..<count {
            try await pacer.acquire()
            times.append(clock.elapsed)
            await pacer.release(ResponseInfo(httpStatus: 200, replayed: false))
        }
        return times
    }

    /// How many requests the pacer grants before the clock has to move.
    func sentAtOnce(_ pacer: Pacer, clock: TestClock) async throws -> Int {
        var immediate = 0
        while true {
            try await pacer.acquire()
            await pacer.release(nil)
            if clock.elapsed > .zero { return immediate }
            immediate += 1
        }
    }

    @Test func aBurstAtOnceThenTheRate() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(.standard, clock: clock.source)
        let times = try await grants(pacer, 400, clock: clock)
        // 95% of the burst of 200 at t=0, then one every 1/(0.99 × 100) s.
        #expect(times.prefix(190).allSatisfy { $0 == .zero })
        #expect(times[190] > .zero)
        let last = times[399] / .seconds(1)
        #expect(abs(last - Double(400 - 190) / 99) < 0.02, "\(last)")
    }

    @Test func neverFasterThanTheServersLimitOverAnyWindow() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(Pacer.Settings(rate: 100, burst: 200, concurrency: 1000), clock: clock.source)
        let times = try await grants(pacer, 1500, clock: clock)
        // The server's GCRA (100/s, burst 200) would accept every one of these instants.
        var tat = Duration.zero
        let interval = Duration.milliseconds(10), tolerance = interval * 200
        for time in times {
            let next = max(tat, time) + interval
            #expect(next - time <= tolerance)
            tat = next
        }
    }

    @Test func a429HalvesTheRateAndWaitsOutRetryAfter() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(Pacer.Settings(rate: 100, burst: 10, concurrency: 10), clock: clock.source)
        _ = try await grants(pacer, 20, clock: clock)
        let refusedAt = clock.elapsed
        await pacer.observe(ResponseInfo(httpStatus: 429, replayed: false, retryAfter: .seconds(2)))
        #expect(await pacer.currentRate == 50)
        #expect(await pacer.refusals == 1)
        try await pacer.acquire()
        #expect(clock.elapsed >= refusedAt + .seconds(2))
        await pacer.release(nil)
        // Then it climbs back by 5/s each second: back at 100/s ten seconds later.
        while clock.elapsed < refusedAt + .seconds(14) { _ = try await grants(pacer, 1, clock: clock) }
        #expect(await pacer.currentRate == 100)
    }

    @Test func theServersRemainingCountWinsWhenLower() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(Pacer.Settings(rate: 100, burst: 200, concurrency: 500), clock: clock.source)
        try await pacer.acquire()
        // Another client drained the app's budget: 10 left by the server's count.
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false, remaining: 10, resetSeconds: 2))
        let immediate = try await sentAtOnce(pacer, clock: clock)
        #expect(immediate == 0, "the margin (10 of the burst) leaves nothing to send at once")
    }

    @Test func aLowerPolicyQuotaLowersTheRate() async throws {
        let pacer = Pacer(.premium, clock: TestClock(jumpsWhenSlept: true).source)
        await pacer.observe(ResponseInfo(httpStatus: 200, replayed: false, quota: 100, windowSeconds: 1))
        #expect(await pacer.settings.rate == 100)
    }

    @Test func concurrencyCapsRequestsInFlight() async throws {
        let pacer = Pacer(Pacer.Settings(rate: 1000, burst: 1000, concurrency: 3), clock: TestClock(jumpsWhenSlept: true).source)
        try await pacer.acquire()
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false))
        for _ in 0..<3 { try await pacer.acquire() }
        let granted = Mutex(false)
        let fourth = Task {
            try await pacer.acquire()
            granted.withLock { $0 = true }
        }
        // However long it is given, the fourth is not granted while three are in flight.
        for _ in 0..<200 { await Task.yield() }
        #expect(granted.withLock { $0 } == false)
        await pacer.release(nil)
        try await fourth.value
        #expect(granted.withLock { $0 })
        await pacer.stop()
        await #expect(throws: CancellationError.self) { try await pacer.acquire() }
    }

    // MARK: Following what the server says

    /// A server's answer as the engine's rate limiter makes it.
    static func answer(_ decision: RateLimiter.Decision) -> ResponseInfo {
        ResponseInfo(httpStatus: decision.allowed ? 200 : 429, replayed: false, remaining: decision.remaining,
                     resetSeconds: decision.resetSeconds, quota: decision.rate, windowSeconds: 1,
                     retryAfter: decision.allowed ? nil : .seconds(decision.retryAfterSeconds))
    }

    /// Runs `count` requests one at a time through `pacer` against the engine's own GCRA on the
    /// same virtual time, at `tier(i)` for the i-th; returns the grant instants and the refusals.
    func run(_ pacer: Pacer, _ count: Int, clock: TestClock, tier: (Int) -> Tier) async throws -> (times: [Duration], refused: Int) {
        let limiter = RateLimiter(clock: clock.source)
        var times: [Duration] = [], refused = 0
        for i in 0..<count {
            let ticket = try await pacer.acquire()
            times.append(clock.elapsed)
            let decision = try #require(limiter.admit(app: "app", tier: tier(i)))
            if !decision.allowed { refused += 1 }
            await pacer.release(Self.answer(decision), ticket: ticket)
        }
        return (times, refused)
    }

    @Test func aHigherAdvertisedQuotaIsAdoptedFromTheFirstAnswer() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: .standard, clock: clock.source)
        let (times, refused) = try await run(pacer, 3000, clock: clock) { _ in .premium }
        #expect(refused == 0)
        let settings = await pacer.settings
        #expect(settings.rate == 500 && settings.burst == 1000)
        #expect(await pacer.source == .advertised(quota: 500, window: 1))
        // 95 % of the burst of 1000 at once, then 495/s: the ideal (3000 − 1000) ÷ 500 = 4 s, within 5 %.
        #expect(times[900] == .zero)
        let last = times[2999] / .seconds(1)
        #expect(last >= 4.0 && last <= 4.2, "\(last)")
    }

    @Test func aLowerAdvertisedQuotaIsAdoptedWithoutARefusal() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: .premium, clock: clock.source)
        let (times, refused) = try await run(pacer, 600, clock: clock) { _ in .standard }
        #expect(refused == 0)
        let settings = await pacer.settings
        #expect(settings.rate == 100 && settings.burst == 200)
        let last = times[599] / .seconds(1)
        #expect(last >= 4.0 && last <= 4.3, "(600 − 200) ÷ 100 = 4 s: \(last)")
    }

    @Test func aQuotaRaisedMidBatchIsFollowed() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: .standard, clock: clock.source)
        // The app's tier goes from standard to premium after the 400th request.
        let (times, refused) = try await run(pacer, 2400, clock: clock) { $0 < 400 ? .standard : .premium }
        #expect(refused == 0)
        #expect(await pacer.settings.rate == 500)
        // 400 at standard take (400 − 200) ÷ 100 = 2 s; the next 2,000 at 500/s about 4 s (the
        // bucket grows to 1000 while the rate is 500/s).
        let switched = times[399] / .seconds(1), last = times[2399] / .seconds(1)
        #expect(switched >= 1.9 && switched <= 2.2, "\(switched)")
        #expect(last - switched <= 4.3, "\(last - switched)")
    }

    @Test func withNoHeadersItKeepsTheConservativeDefault() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: .standard, clock: clock.source)
        let times = try await grants(pacer, 400, clock: clock)
        let settings = await pacer.settings, source = await pacer.source

        #expect(settings == .standard && source == .assumed)
        #expect(times.prefix(190).allSatisfy { $0 == .zero } && times[190] > .zero)
    }

    @Test func anExplicitCeilingBelowTheAdvertisedRateIsNeverExceeded() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: .standard, ceiling: .init(rate: 50, burst: 20), clock: clock.source)
        let (times, refused) = try await run(pacer, 300, clock: clock) { _ in .premium }
        #expect(refused == 0)
        let capped = await pacer.settings
        #expect(capped.rate == 50 && capped.burst == 20)
        #expect(await pacer.source == .ceiling(advertised: 500))
        // A GCRA at the ceiling (50/s, burst 20) would accept every one of these instants.
        var tat = Duration.zero
        for time in times {
            let next = max(tat, time) + .milliseconds(20)
            #expect(next - time <= .milliseconds(20) * 20)
            tat = next
        }
        // `rate R` moves the ceiling: up to what the API allows, not beyond.
        await pacer.update(rate: 1000)
        let settings = await pacer.settings, source = await pacer.source
        #expect(settings.rate == 500 && source == .advertised(quota: 500, window: 1))
    }

    @Test func aBacklogRunUpAtALowRateIsNotHeldAgainstTheRateAfterItClimbs() async throws {
        // Another shell of the app drains the bucket: four 429s take the rate to 100/16 = 6.25/s,
        // and an answer with nothing left fills our schedule at that rate (its tolerance for a
        // burst is half a minute there). Climbing back (by 5/s a second), the schedule must count
        // in the new rate: the next 200 go out in about 8 s, not after half a minute's wait.
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: .standard, clock: clock.source)
        let first = try await pacer.acquire()
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false, remaining: 150, resetSeconds: 1, quota: 100, windowSeconds: 1), ticket: first)
        for _ in 0..<4 { await pacer.observe(ResponseInfo(httpStatus: 429, replayed: false, remaining: 0, retryAfter: .seconds(1))) }
        #expect(await pacer.currentRate == 6.25)
        let drained = try await pacer.acquire()
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false, remaining: 0, resetSeconds: 2, quota: 100, windowSeconds: 1), ticket: drained)
        let start = clock.elapsed
        var longest = Duration.zero
        for _ in 0..<200 {
            let before = clock.elapsed
            try await pacer.acquire()
            await pacer.release(nil)
            longest = max(longest, clock.elapsed - before)
        }
        let took = clock.elapsed - start
        #expect(took < .seconds(12), "200 took \(took)")
        #expect(longest <= .seconds(1), "one waited \(longest)")
    }

    @Test func anAnswerOvertakenOnTheWayDoesNotRaiseTheBucket() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        let pacer = Pacer(start: Pacer.Settings(rate: 100, burst: 200, concurrency: 10), clock: clock.source)
        let first = try await pacer.acquire()
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false, remaining: 199, resetSeconds: 1, quota: 100, windowSeconds: 1), ticket: first)
        var tickets: [Pacer.Ticket] = []
        for _ in 0..<5 { tickets.append(try await pacer.acquire()) }
        // The newest says 20 left (another client drains the app); then an older one arrives saying 150.
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false, remaining: 20, resetSeconds: 2, quota: 100, windowSeconds: 1), ticket: tickets[4])
        await pacer.release(ResponseInfo(httpStatus: 200, replayed: false, remaining: 150, resetSeconds: 1, quota: 100, windowSeconds: 1), ticket: tickets[0])
        for ticket in tickets[1...3] { await pacer.release(nil, ticket: ticket) }
        let immediate = try await sentAtOnce(pacer, clock: clock)
        // 20 left, less the margin of 10, less the 4 sent before it and not answered then: 6 at
        // once, not the 150 − 10 the overtaken answer would allow.
        #expect(immediate == 6, "\(immediate) sent at once")
    }
}

@Suite(.timeLimit(.minutes(5))) struct KeyTemplateTests {
    let values = KeyTemplate.Values(path: "uploads/season-1/episode-01.mp4", date: "2026-02-28", batch: "nightly", index: 7)

    @Test func placeholdersFillIn() throws {
        #expect(try KeyTemplate("batch_{date}_{name}").key(for: values) == "batch_2026-02-28_episode-01.mp4")
        #expect(try KeyTemplate("{batch}/{stem}#{index}").key(for: values) == "nightly/episode-01#7")
        #expect(try KeyTemplate("encode_{path}").key(for: values) == "encode_uploads/season-1/episode-01.mp4")
    }

    @Test func badTemplatesAndKeysAreRefusedBeforeAnythingIsSent() throws {
        #expect(refusal { _ = try KeyTemplate("x_{file}") }?.hasPrefix("--key: unknown placeholder {file}") == true)
        #expect(refusal { _ = try KeyTemplate("x_{name") }?.hasPrefix("--key: \"{\" at character 3 is never closed") == true)
        #expect(refusal { _ = try KeyTemplate("fixed") }?.hasPrefix("--key: \"fixed\" has no placeholder") == true)
        let long = try KeyTemplate(String(repeating: "k", count: 250) + "{name}")
        #expect(refusal { _ = try long.key(for: values) }?.hasPrefix("--key") == true)
        let unicode = KeyTemplate.Values(path: "vidéo.mp4", date: "d", batch: "b", index: 0)
        #expect(refusal { _ = try KeyTemplate("{name}").key(for: unicode) }?
            .hasPrefix("--key {name} makes \"vidéo.mp4\" for vidéo.mp4: idempotency_key: only printable ASCII") == true)
    }

    @Test func derivedKeysFollowTheRequestButNotItsMetadata() {
        let a = BatchFixtures.request("a.mp4")
        var b = a
        b.metadata = ["batch_id": "other"]
        var c = a
        c.inputPath = "c.mp4"
        #expect(KeyTemplate.derivedKey(for: a) == KeyTemplate.derivedKey(for: b))
        #expect(KeyTemplate.derivedKey(for: a) != KeyTemplate.derivedKey(for: c))
        #expect(KeyTemplate.derivedKey(for: a).hasPrefix("tcly-") && KeyTemplate.derivedKey(for: a).count == 37)
    }

    @Test func retryKeysKeepTheirLineage() throws {
        #expect(RetryFailed.original(of: "ep-1~retry-2") == "ep-1")
        #expect(RetryFailed.retryNumber(of: "ep-1~retry-2") == 2)
        #expect(RetryFailed.original(of: "a~retry-x") == "a~retry-x")
        #expect(RetryFailed.original(of: "ep-1~retry-2+1f2e3d4c") == "ep-1")
        #expect(RetryFailed.retryNumber(of: "ep-1~retry-2+1f2e3d4c") == 2)
        #expect(RetryFailed.change(of: "ep-1~retry-2+1f2e3d4c") == "1f2e3d4c")
        #expect(RetryFailed.change(of: "ep-1~retry-2") == nil)
        #expect(RetryFailed.original(of: "a~retry-1+nothex!!") == "a~retry-1+nothex!!")
    }

    /// An unchanged retry is `ROOT~retry-N`, N its place in the chain; a changed one adds the
    /// digest of what it sends, and keeps it when retried again unchanged.
    @Test func changedRetriesGetTheirOwnKeys() throws {
        let request = BatchFixtures.request("a.mp4")
        var job = Job(id: "job_1", status: .failed, request: request, createdAt: Timestamp(microseconds: 1), updatedAt: Timestamp(microseconds: 2))
        job.idempotencyKey = "ep-1"
        let plain = try RetryFailed.resubmission(of: job, request: request, index: 0)
        #expect(plain.key == "ep-1~retry-1" && plain.retryOf == "job_1")
        var premium = request
        premium.priority = .premium
        let changed = try RetryFailed.resubmission(of: job, request: request, changed: premium, index: 0)
        #expect(changed.key == "ep-1~retry-1+" + RetryFailed.digest(of: premium))
        #expect(changed.key != plain.key && changed.request.priority == .premium)
        // The same "change" that changes nothing is the plain retry.
        #expect(try RetryFailed.resubmission(of: job, request: request, changed: request, index: 0).key == plain.key)
        // The next in each chain.
        var second = job
        second.idempotencyKey = plain.key
        #expect(try RetryFailed.resubmission(of: second, request: request, index: 0).key == "ep-1~retry-2")
        second.idempotencyKey = changed.key
        #expect(try RetryFailed.resubmission(of: second, request: premium, index: 0).key == "ep-1~retry-2+" + RetryFailed.digest(of: premium))
    }

    @Test func aDryRunPlanShowsBurstRateAndETA() {
        let plan = BatchPlan(items: 5000, settings: .premium)
        #expect(plan.burst == 950)
        #expect(abs(plan.estimatedDuration / .seconds(1) - (Double(5000 - 950) / 495 + 0.02)) < 0.05)
        #expect(plan.schedule.count == 4)
    }
}

/// The message of the ConnectError `body` throws, nil when it throws none.
func refusal(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return (error as? ConnectError)?.message ?? "\(error)"
    }
}
