import Synchronization
import Timekeeping
import TranscodelyAPI

/// Per-app rate limiting with the generic cell rate algorithm (GCRA): emission interval
/// T = 1/rate, tolerance τ = T × burst. One number per app (its theoretical arrival time), no timers.
public final class RateLimiter: Sendable {
    /// What the limiter decided for one request, with what the response headers tell the client.
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        /// Requests that could still be made right now.
        public var remaining: Int
        /// Seconds until the bucket is full again (the `t` of the `RateLimit` header).
        public var resetSeconds: Int
        /// When refused: whole seconds to wait, at least 1 (`Retry-After`).
        public var retryAfterSeconds: Int
        /// The policy: requests per second and burst.
        public var rate: Int
        public var burst: Int
    }

    private let clock: TimeSource
    private let arrivals = Mutex<[String: Int64]>([:])

    public init(clock: TimeSource) { self.clock = clock }

    /// Counts one request of `app` at `tier`; nil when the tier is unlimited.
    public func admit(app: String, tier: Tier) -> Decision? {
        guard let rate = tier.rate else { return nil }
        let interval = Int64((1_000_000 / rate).rounded())
        let tolerance = interval * Int64(tier.burst)
        let now = clock.timestamp.microseconds
        return arrivals.withLock { table in
            let tat = max(table[app] ?? now, now)
            let next = tat + interval
            if next - now <= tolerance {
                table[app] = next
                let remaining = Int((tolerance - (next - now)) / interval)
                return Decision(allowed: true, remaining: remaining, resetSeconds: Self.ceilSeconds(next - now),
                                retryAfterSeconds: 0, rate: Int(rate), burst: tier.burst)
            }
            let wait = next - now - tolerance
            return Decision(allowed: false, remaining: 0, resetSeconds: Self.ceilSeconds(tat - now),
                            retryAfterSeconds: max(1, Self.ceilSeconds(wait)), rate: Int(rate), burst: tier.burst)
        }
    }

    private static func ceilSeconds(_ micros: Int64) -> Int {
        micros <= 0 ? 0 : Int((micros + 999_999) / 1_000_000)
    }
}
