/// When and how long to wait before sending a request again: exponential backoff with full
/// jitter (a random wait between 0 and min(cap, base × 2^attempt)), never shorter than the
/// server's `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration

    public init(maxAttempts: Int = 6, base: Duration = .milliseconds(100), cap: Duration = .seconds(10)) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1); `random` is in [0, 1).
    public func delay(after attempt: Int, retryAfter: Duration?, random: Double) -> Duration {
        let ceiling = min(cap, base * Int(1 << min(attempt - 1, 30)))
        let jittered = ceiling * random
        guard let retryAfter else { return jittered }
        return max(retryAfter, jittered)
    }
}
