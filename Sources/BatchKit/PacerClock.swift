import Synchronization

/// The time the batch engine paces by, injected so that tests run a whole schedule without
/// sleeping: `now` is time since the clock started.
public struct PacerClock: Sendable {
    public var now: @Sendable () -> Duration
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The machine's monotonic clock.
    public static func live() -> PacerClock {
        let start = ContinuousClock.now
        return PacerClock(now: { ContinuousClock.now - start }, sleep: { try await Task.sleep(for: $0) })
    }

    /// A clock that jumps ahead instead of sleeping: a schedule of minutes runs in microseconds,
    /// and the instants it grants can be checked exactly.
    public static func virtual() -> PacerClock {
        let time = Mutex<Duration>(.zero)
        return PacerClock(now: { time.withLock { $0 } }, sleep: { span in
            try Task.checkCancellation()
            time.withLock { $0 += max(.zero, span) }
        })
    }
}
