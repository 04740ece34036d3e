import Timekeeping

/// The clock a store stamps with (`updated_at`, attempt and delivery times), which is also the one
/// its users wait on: the scheduler's safety-net tick and the webhook dispatcher's naps sleep on
/// it, so a `TestClock` given to the store moves the whole engine.
public protocol StoreClock: Sendable {
    /// What the store stamps with and its users sleep on.
    var clock: TimeSource { get }
}
