import Synchronization
import TranscodelyAPI

/// A clock for tests: starts at a fixed instant and moves only by `advance`.
public final class ManualClock: Sendable {
    private let state: Mutex<Int64>

    public init(start: Timestamp = Timestamp(microseconds: 1_767_225_600_000_000)) { state = Mutex(start.microseconds) }

    public var now: Timestamp { Timestamp(microseconds: state.withLock { $0 }) }

    public func advance(seconds: Double) {
        state.withLock { $0 += Int64(seconds * 1_000_000) }
    }
}
