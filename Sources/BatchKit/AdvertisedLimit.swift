import Synchronization
import Timekeeping
import TranscodelyClient

/// What an API has said of its rate limit, read from every answer a connection gets (set
/// `observe` as the transport's observer): the rate its `RateLimit-Policy` advertises and the
/// largest bucket a `RateLimit` count has shown. A batch starts its pacer from it (so a second
/// batch starts at the right rate), `batch --dry-run` tells it, and the 429s it sees — a client's
/// own retries included — reach the pacers of the batches running on that connection.
public final class AdvertisedLimit: Sendable {
    private struct State {
        var quota: Int?
        var window: Int?
        var burst: Int?
        var pacers: [Int: Pacer] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Reads one answer's headers.
    public func observe(_ info: ResponseInfo) {
        let refused: [Pacer] = state.withLock { state in
            if let quota = info.quota, let window = info.windowSeconds, quota > 0, window > 0 {
                state.quota = quota
                state.window = window
            }
            if let remaining = info.remaining, remaining >= 0 {
                state.burst = max(state.burst ?? 0, remaining + 1)
            }
            return info.httpStatus == 429 ? Array(state.pacers.values) : []
        }
        for pacer in refused { Task { await pacer.observe(info) } }
    }

    /// The advertised rate (quota ÷ window) and policy, if an answer has said it.
    public var policy: (rate: Double, quota: Int, window: Int)? {
        state.withLock { state in
            guard let quota = state.quota, let window = state.window else { return nil }
            return (Double(quota) / Double(window), quota, window)
        }
    }

    /// The largest bucket seen (a full bucket's count plus one), if any.
    public var burst: Int? { state.withLock { $0.burst } }

    /// A pacer for a new batch: at what the API advertised (else `fallback`), within `ceiling`.
    public func pacer(concurrency: Int, ceiling: Pacer.Ceiling, fallback: Pacer.Settings = .standard,
                      clock: TimeSource = .system) -> Pacer {
        var start = fallback
        start.concurrency = concurrency
        var source = Pacer.Source.assumed
        if let policy {
            start.rate = policy.rate
            source = .of(quota: policy.quota, window: policy.window, under: ceiling)
        } else if let cap = ceiling.rate {
            // The user's rate is the best guess until the API says otherwise.
            source = .ceiling(advertised: nil)
            start.rate = cap
        }
        if let burst { start.burst = burst }
        else if let cap = ceiling.burst { start.burst = cap }
        return Pacer(start: start, ceiling: ceiling, source: source, clock: clock)
    }

    /// Lets `pacer` hear of every 429 on this connection until `detach`.
    public func attach(_ pacer: Pacer) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.pacers[state.nextID] = pacer
            return state.nextID
        }
    }

    public func detach(_ id: Int) { _ = state.withLock { $0.pacers.removeValue(forKey: id) } }
}
