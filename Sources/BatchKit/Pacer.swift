import Timekeeping
import TranscodelyClient

/// Paces requests under an API's rate limit so that none is refused: a client-side GCRA at the
/// app's rate and burst (kept a little under the server's, since arrival times jitter), a cap on
/// requests in flight, pause and resume, and changes of rate and concurrency while a batch runs.
///
/// It follows what the server says, both ways, from the first answer on: a `RateLimit-Policy`
/// quota sets the rate (quota ÷ window), raised or lowered, up to the user's ceiling; `RateLimit`'s
/// remaining count sets the bucket (how many may go now) and teaches the burst (a full bucket's
/// count); a 429 halves the rate and waits out `Retry-After`, after which the rate climbs back by a
/// twentieth of the target per second (AIMD). Until the first answer it sends one request at a
/// time, at the start settings: an API that sends no such headers is paced at those.
public actor Pacer {
    /// How fast and how wide.
    public struct Settings: Sendable, Hashable {
        /// Requests per second the API allows this app.
        public var rate: Double
        /// Requests the API allows at once after a pause.
        public var burst: Int
        /// Requests in flight at most.
        public var concurrency: Int

        public init(rate: Double, burst: Int, concurrency: Int) {
            self.rate = rate
            self.burst = burst
            self.concurrency = concurrency
        }

        /// The standard tier of the hosted service: 100/s, burst 200 (the conservative default
        /// until an API says its limit).
        public static let standard = Settings(rate: 100, burst: 200, concurrency: 50)
        /// The premium tier: 500/s, burst 1000.
        public static let premium = Settings(rate: 500, burst: 1000, concurrency: 100)
    }

    /// What the user fixed: a rate or burst the pacer never exceeds, whatever the server says.
    public struct Ceiling: Sendable, Hashable {
        public var rate: Double?
        public var burst: Int?

        public init(rate: Double? = nil, burst: Int? = nil) {
            self.rate = rate
            self.burst = burst
        }

        /// Follow the server wherever it goes.
        public static let none = Ceiling()
    }

    /// Where the rate in force comes from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// The start settings: no answer has said the API's limit yet.
        case assumed
        /// The API's `RateLimit-Policy` (`q` requests per `w` seconds).
        case advertised(quota: Int, window: Int)
        /// The user's ceiling, at or below what the API advertised.
        case ceiling(advertised: Double?)

        public var description: String {
            switch self {
            case .assumed: "the default until the API says its limit (its first answer's RateLimit-Policy sets it)"
            case let .advertised(quota, window): "the API's RateLimit-Policy (q=\(quota);w=\(window))"
            case let .ceiling(advertised?): "your --rate/--burst, a ceiling (the API allows \(Self.number(advertised))/s)"
            case .ceiling(nil): "your --rate/--burst, a ceiling (the API has not said its limit yet)"
            }
        }

        /// Where the rate comes from when the API advertises `quota` per `window` seconds and the
        /// user set `ceiling`: the ceiling when it is lower, else the API's word.
        public static func of(quota: Int, window: Int, under ceiling: Ceiling) -> Source {
            let served = Double(quota) / Double(window)
            if let cap = ceiling.rate, cap < served { return .ceiling(advertised: served) }
            return .advertised(quota: quota, window: window)
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String((value * 100).rounded() / 100)
        }
    }

    /// A granted request, handed back with its answer so that the pacer knows which of the
    /// answers it reads is the newest and how many were sent after it.
    public struct Ticket: Sendable, Hashable {
        public let sequence: Int
    }

    /// The share of the server's rate and burst the pacer uses.
    static let rateMargin = 0.99
    static let burstMargin = 0.95

    private let clock: TimeSource
    /// Where this pacer's time starts: its schedule counts from here, as a fresh pacer's always has.
    private let origin: TimeSource.Instant
    private var target: Settings
    private var ceiling: Ceiling
    private(set) public var source: Source
    /// What the server said: its rate (quota ÷ window) and the largest bucket it has shown.
    private var advertisedRate: Double?
    private var advertisedBurst: Int?
    private var policy: (quota: Int, window: Int)?
    private var rate: Double
    private var theoreticalArrival: Duration = .zero
    private var blockedUntil: Duration = .zero
    private var lastIncrease: Duration = .zero
    private var inFlight = 0
    /// Tickets granted so far, those not yet answered, and the newest whose answer set the bucket.
    private var granted = 0
    private var outstanding: Set<Int> = []
    private var newestApplied = 0
    private var paused = false
    private var stopped = false
    /// Until the first answer tells the server's count, one request at a time: a bucket another
    /// run (or client) has just drained must not be hit with a whole burst.
    private var calibrated = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// 429s seen (the goal is none).
    public private(set) var refusals = 0

    /// A pacer that starts at `start` (for example what the API advertised to an earlier call, or
    /// `.standard`) and follows the server within `ceiling`.
    public init(start: Settings, ceiling: Ceiling = .none, source: Source = .assumed, clock: TimeSource = .system) {
        self.clock = clock
        origin = clock.now
        self.ceiling = ceiling
        var start = start
        if let cap = ceiling.rate { start.rate = min(start.rate, cap) }
        if let cap = ceiling.burst { start.burst = min(start.burst, cap) }
        target = start
        rate = start.rate
        self.source = source
    }

    /// A pacer at exactly these settings, which are also its ceiling: it follows the server down,
    /// never above them.
    public init(_ settings: Settings, clock: TimeSource = .system) {
        self.init(start: settings, ceiling: Ceiling(rate: settings.rate, burst: settings.burst),
                  source: .ceiling(advertised: nil), clock: clock)
    }

    /// The target in force: the rate and burst it paces at (the rate lower for a while after a 429).
    public var settings: Settings { target }
    /// The rate in force now (lower than the target after a 429).
    public var currentRate: Double { rate }
    /// The ceiling set by the user.
    public var limits: Ceiling { ceiling }

    private var interval: Duration { .seconds(1 / (rate * Self.rateMargin)) }
    /// Requests of the burst the pacer allows itself.
    private var usableBurst: Int { max(1, Int(Double(target.burst) * Self.burstMargin)) }
    /// GCRA's tolerance for our burst, plus a nanosecond so that rounding in sums of intervals
    /// never costs a request of the burst.
    private var tolerance: Duration { interval * Double(usableBurst - 1) + .nanoseconds(1) }

    /// Waits until one more request may be sent, and counts it in flight. Throws
    /// `CancellationError` when the pacer is stopped or the task cancelled.
    @discardableResult
    public func acquire() async throws -> Ticket {
        while true {
            try Task.checkCancellation()
            if stopped { throw CancellationError() }
            if paused || inFlight >= (calibrated ? target.concurrency : 1) {
                await withCheckedContinuation { waiters.append($0) }
                continue
            }
            let now = clock.now - origin
            climb(now)
            let earliest = max(theoreticalArrival - tolerance, blockedUntil)
            if earliest <= now {
                theoreticalArrival = max(theoreticalArrival, now) + interval
                inFlight += 1
                granted += 1
                outstanding.insert(granted)
                return Ticket(sequence: granted)
            }
            try await clock.sleep(until: origin + earliest)
        }
    }

    /// A request ended; `info` is its response's headers, when one came.
    public func release(_ info: ResponseInfo?, ticket: Ticket? = nil) {
        inFlight -= 1
        if let ticket { outstanding.remove(ticket.sequence) }
        if let info { observe(info, ticket: ticket) }
        calibrated = true
        wakeAll()
    }

    /// Reads a response's headers (also the ones of attempts a client retried on its own). With
    /// the request's ticket, its `RateLimit` count can also raise the bucket; without one it can
    /// only lower it.
    public func observe(_ info: ResponseInfo, ticket: Ticket? = nil) {
        let now = clock.now - origin
        if let quota = info.quota, let window = info.windowSeconds, window > 0, quota > 0 {
            adopt(served: Double(quota) / Double(window), quota: quota, window: window)
        }
        if info.httpStatus == 429 {
            refusals += 1
            setRate(max(target.rate / 16, rate / 2), at: now)
            lastIncrease = now
            let wait = info.retryAfter ?? .seconds(1)
            blockedUntil = max(blockedUntil, now + wait)
            theoreticalArrival = max(theoreticalArrival, blockedUntil)
            return
        }
        guard let remaining = info.remaining, remaining >= 0 else { return }
        calibrated = true
        learnBurst(remaining: remaining, resetSeconds: info.resetSeconds)
        syncBucket(remaining: remaining, ticket: ticket, now: now)
    }

    /// The server's rate, capped by the ceiling, becomes the target; a rate lowered by a 429
    /// stays lowered (it climbs back on its own).
    private func adopt(served: Double, quota: Int, window: Int) {
        advertisedRate = served
        policy = (quota, window)
        let capped = min(served, ceiling.rate ?? .infinity)
        source = .of(quota: quota, window: window, under: ceiling)
        guard capped != target.rate else { return }
        let backingOff = rate < target.rate
        target.rate = capped
        setRate(backingOff ? min(rate, capped) : capped, at: clock.now - origin)
    }

    /// A count of `remaining` proves a bucket of at least `remaining + 1`; with the server's rate
    /// known, `remaining + rate × t` (t: seconds until full, rounded up) bounds it from above.
    private func learnBurst(remaining: Int, resetSeconds: Int?) {
        let seen = max(advertisedBurst ?? 0, remaining + 1)
        advertisedBurst = seen
        var burst = max(target.burst, seen)
        if let served = advertisedRate, let reset = resetSeconds {
            burst = min(burst, max(seen, remaining + Int((served * Double(reset)).rounded(.up))))
        }
        if let cap = ceiling.burst { burst = min(burst, cap) }
        target.burst = max(1, burst)
    }

    /// The server's count is the truth: our bucket is set to what it had left, less what was sent
    /// since (or may have reached it first), in our scale (we keep a margin of the burst unused).
    /// Only the newest answer counts: an older one, overtaken on the way, says less.
    private func syncBucket(remaining: Int, ticket: Ticket?, now: Duration) {
        let margin = target.burst - usableBurst
        if let ticket {
            guard ticket.sequence > newestApplied else { return }
            newestApplied = ticket.sequence
            let sentAfter = granted - ticket.sequence
            let sentBeforeUnanswered = outstanding.count(where: { $0 < ticket.sequence })
            let theirs = min(usableBurst, max(0, remaining - margin - sentAfter - sentBeforeUnanswered))
            // Under a ceiling that binds, our own bucket is the user's limit: the server may lower
            // it, never raise it. (Less a nanosecond: sums of intervals and this product round
            // differently.)
            let synced = max(blockedUntil, now + tolerance + interval - interval * Double(theirs) - .nanoseconds(1))
            if !ceilingBinds || synced > theoreticalArrival { theoreticalArrival = synced }
            return
        }
        // No ticket: the answer may be old; it may only lower our count.
        let theirs = max(0, remaining - margin - inFlight)
        let ours = max(0, Int(((tolerance + interval - (max(theoreticalArrival, now) - now)) / interval).rounded(.down)))
        if theirs < ours {
            theoreticalArrival = now + tolerance + interval - interval * Double(theirs)
        }
    }

    /// Whether the user's ceiling is below what the server allows (or the server has not said).
    private var ceilingBinds: Bool {
        if let cap = ceiling.rate, cap < (advertisedRate ?? .infinity) { return true }
        if let cap = ceiling.burst, cap < (advertisedBurst ?? .max) { return true }
        return false
    }

    /// Changes the rate in force, keeping what the bucket holds: the schedule's backlog
    /// (`theoreticalArrival` beyond now) is a count of requests in units of the interval, so it is
    /// rescaled to the new interval. Left in the old one, a backlog run up at a low rate (its
    /// tolerance of a burst at, say, 6/s is half a minute) would hold every request back for
    /// that long once the rate climbs and the tolerance shrinks.
    private func setRate(_ newRate: Double, at now: Duration) {
        guard newRate != rate, newRate > 0 else { return }
        let backlog = theoreticalArrival - now
        if backlog > .zero { theoreticalArrival = max(blockedUntil, now + backlog * (rate / newRate)) }
        rate = newRate
    }

    /// Additive increase after a 429: back toward the target by a twentieth of it per second.
    private func climb(_ now: Duration) {
        guard rate < target.rate else { return }
        let seconds = (now - lastIncrease).timeInterval
        guard seconds >= 1, now >= blockedUntil else { return }
        setRate(min(target.rate, rate + target.rate / 20 * seconds.rounded(.down)), at: now)
        lastIncrease = now
    }

    public func pause() { paused = true }

    public func resume() {
        paused = false
        wakeAll()
    }

    public var isPaused: Bool { paused }

    /// A new rate ceiling and concurrency (`rate R`, `set rate R`), in force for the next request:
    /// the pacer goes at R, or at what the API advertised when that is lower.
    public func update(rate ceilingRate: Double, concurrency: Int? = nil) {
        let scale = rate / target.rate
        ceiling.rate = ceilingRate
        target.rate = min(ceilingRate, advertisedRate ?? ceilingRate)
        if let advertisedRate, let policy {
            source = ceilingRate < advertisedRate ? .ceiling(advertised: advertisedRate) : .advertised(quota: policy.quota, window: policy.window)
        } else {
            source = .ceiling(advertised: nil)
        }
        if let concurrency { target.concurrency = concurrency }
        setRate(target.rate * min(1, scale), at: clock.now - origin)
        wakeAll()
    }

    /// Refuses every waiting and later `acquire`.
    public func stop() {
        stopped = true
        wakeAll()
    }

    private func wakeAll() {
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }
}
