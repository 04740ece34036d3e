#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TranscodelyAPI

/// The machine's clocks: `ContinuousClock` for waiting and measuring, `CLOCK_REALTIME` for stamps.
public struct SystemTime: TimeBackend {
    /// One origin for the whole process, so that instants from any `.system` source compare.
    private static let origin = ContinuousClock.now

    public init() {}

    public var elapsed: Duration { ContinuousClock.now - Self.origin }

    public var timestamp: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: Self.origin + deadline, clock: .continuous)
    }
}
