import TranscodelyClient

/// Paces requests under an API's rate limit so that none is refused: a client-side GCRA at the
/// tier's rate and burst (kept a little under the server's, since arrival times jitter), a cap on
/// requests in flight, pause and resume, and changes of rate and concurrency while a batch runs.
///
/// It tunes itself from what the server says: a `RateLimit-Policy` quota below its rate lowers the
/// rate; a `RateLimit` remaining count below its own estimate moves its bucket to match (another
/// client shares the app's budget); a 429 halves the rate and waits out `Retry-After`, after which
/// the rate climbs back by a twentieth of the target per second (AIMD).
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

        /// The standard tier of the hosted service: 100/s, burst 200.
        public static let standard = Settings(rate: 100, burst: 200, concurrency: 50)
        /// The premium tier: 500/s, burst 1000.
        public static let premium = Settings(rate: 500, burst: 1000, concurrency: 100)
    }

    /// The share of the server's rate and burst the pacer uses.
    static let rateMargin = 0.99
    static let burstMargin = 0.95

    private let clock: PacerClock
    private var target: Settings
    private var rate: Double
    private var theoreticalArrival: Duration = .zero
    private var blockedUntil: Duration = .zero
    private var lastIncrease: Duration = .zero
    private var inFlight = 0
    private var paused = false
    private var stopped = false
    /// Until the first answer tells the server's count, one request at a time: a bucket another
    /// run (or client) has just drained must not be hit with a whole burst.
    private var calibrated = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// 429s seen (the goal is none).
    public private(set) var refusals = 0

    public init(_ settings: Settings, clock: PacerClock = .live()) {
        self.clock = clock
        target = settings
        rate = settings.rate
    }

    public var settings: Settings { target }
    /// The rate in force now (lower than the target after a 429).
    public var currentRate: Double { rate }

    private var interval: Duration { .seconds(1 / (rate * Self.rateMargin)) }
    /// GCRA's tolerance for our burst, plus a nanosecond so that rounding in sums of intervals
    /// never costs a request of the burst.
    private var tolerance: Duration {
        interval * max(0, Double(Int(Double(target.burst) * Self.burstMargin)) - 1) + .nanoseconds(1)
    }

    /// Waits until one more request may be sent, and counts it in flight. Throws
    /// `CancellationError` when the pacer is stopped or the task cancelled.
    public func acquire() async throws {
        while true {
            try Task.checkCancellation()
            if stopped { throw CancellationError() }
            if paused || inFlight >= (calibrated ? target.concurrency : 1) {
                await withCheckedContinuation { waiters.append($0) }
                continue
            }
            let now = clock.now()
            climb(now)
            let earliest = max(theoreticalArrival - tolerance, blockedUntil)
            if earliest <= now {
                theoreticalArrival = max(theoreticalArrival, now) + interval
                inFlight += 1
                return
            }
            try await clock.sleep(earliest - now)
        }
    }

    /// A request ended; `info` is its response's headers, when one came.
    public func release(_ info: ResponseInfo?) {
        inFlight -= 1
        if let info { observe(info) }
        calibrated = true
        wakeAll()
    }

    /// Reads a response's headers (also the ones of attempts a client retried on its own).
    public func observe(_ info: ResponseInfo) {
        let now = clock.now()
        if let quota = info.quota, let window = info.windowSeconds, window > 0 {
            let served = Double(quota) / Double(window)
            if served < target.rate { target.rate = served; rate = min(rate, served) }
        }
        if info.httpStatus == 429 {
            refusals += 1
            rate = max(target.rate / 16, rate / 2)
            lastIncrease = now
            let wait = info.retryAfter ?? .seconds(1)
            blockedUntil = max(blockedUntil, now + wait)
            theoreticalArrival = max(theoreticalArrival, blockedUntil)
            return
        }
        if let remaining = info.remaining {
            calibrated = true
            // The server's count is the truth: if it has fewer left than we think, catch up.
            // Both counts in our scale: we keep a margin of the burst unused.
            let theirs = max(0, remaining - (target.burst - Int(Double(target.burst) * Self.burstMargin)))
            let ours = max(0, Int(((tolerance + interval - (max(theoreticalArrival, now) - now)) / interval).rounded(.down)))
            if theirs < ours {
                theoreticalArrival = now + tolerance + interval - interval * Double(theirs)
            }
        }
    }

    /// Additive increase after a 429: back toward the target by a twentieth of it per second.
    private func climb(_ now: Duration) {
        guard rate < target.rate else { return }
        let seconds = Double((now - lastIncrease).components.seconds) + Double((now - lastIncrease).components.attoseconds) / 1e18
        guard seconds >= 1, now >= blockedUntil else { return }
        rate = min(target.rate, rate + target.rate / 20 * seconds.rounded(.down))
        lastIncrease = now
    }

    public func pause() { paused = true }

    public func resume() {
        paused = false
        wakeAll()
    }

    public var isPaused: Bool { paused }

    /// New rate, burst or concurrency, in force for the next request.
    public func update(_ settings: Settings) {
        let scale = rate / target.rate
        target = settings
        rate = settings.rate * min(1, scale)
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
