import Foundation
import Synchronization
import TranscodelyAPI

/// The engine's source of "now", injected so that tests control time (the rate limiter's tests
/// never sleep; they advance a manual clock).
public struct EngineClock: Sendable {
    /// The current instant in microseconds since the Unix epoch.
    public let now: @Sendable () -> Timestamp

    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }

    /// The machine's wall clock.
    public static let system = EngineClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    /// A clock that stands still until told to move: for tests.
    public static func manual(_ clock: ManualClock) -> EngineClock { EngineClock { clock.now } }
}
