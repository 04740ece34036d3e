import TranscodelyAPI

/// What a `TimeSource` reads and sleeps on: the machine (`SystemTime`) or a `TestClock`.
/// One small protocol so that a source is a plain value, not a generic parameter on every user.
public protocol TimeBackend: Sendable {
    /// Monotonic time since this backend's origin.
    var elapsed: Duration { get }
    /// Wall-clock now.
    var timestamp: Timestamp { get }
    /// Returns once `elapsed` has reached `deadline`; throws `CancellationError` on cancellation.
    func sleep(until deadline: Duration) async throws
}
