import TranscodelyAPI

/// The one source of time that everything which waits or stamps is handed: the scheduler, the
/// webhook dispatcher and its retries, the key cache, the rate limiter, the batch pacer, the job
/// inbox and `watch`. It is a standard `Clock` (sleep until an `Instant`, measure between two) that
/// also says the wall-clock `Timestamp` to store. `.system` is the machine; `TestClock.source` is
/// a clock that moves only when a test tells it to.
public struct TimeSource: Clock, Sendable {
    private let backend: any TimeBackend

    /// A source over any backend (`.system`, or a `TestClock`'s `source`).
    public init(_ backend: any TimeBackend) { self.backend = backend }

    /// The machine's monotonic clock for waiting and its real-time clock for stamps.
    public static let system = TimeSource(SystemTime())

    /// Now, for deadlines and measuring: monotonic, never jumps back.
    public var now: Instant { Instant(offset: backend.elapsed) }

    /// Now, for storing: microseconds since the Unix epoch.
    public var timestamp: Timestamp { backend.timestamp }

    public var minimumResolution: Duration { .microseconds(1) }

    /// Returns once `deadline` has passed on this source; throws `CancellationError` if the task
    /// is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await backend.sleep(until: deadline.offset)
    }
}
