import Synchronization
import TranscodelyAPI

/// A clock for tests: it stands still until `advance(by:)` moves it, and then wakes every sleeper
/// whose deadline has passed, in deadline order. A test that used to sleep a second advances a
/// second instead, and runs in microseconds.
///
/// `jumpsWhenSlept` makes a clock that, instead of waiting to be told, moves straight to the
/// deadline of whoever sleeps on it: a schedule of minutes (the batch pacer's) runs at once and
/// the instants it grants can be checked exactly.
public final class TestClock: TimeBackend {
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var sleepers: [Int: Sleeper] = [:]
        var cancelledEarly: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())
    private let start: Timestamp
    private let jumpsWhenSlept: Bool

    /// A clock at `start` (wall time) that moves only when told, or, with `jumpsWhenSlept`, when slept on.
    public init(start: Timestamp = Timestamp(microseconds: 1_767_225_600_000_000), jumpsWhenSlept: Bool = false) {
        self.start = start
        self.jumpsWhenSlept = jumpsWhenSlept
    }

    /// The source to hand to the code under test.
    public var source: TimeSource { TimeSource(self) }

    public var elapsed: Duration { state.withLock { $0.elapsed } }

    public var timestamp: Timestamp {
        Timestamp(microseconds: start.microseconds + Int64(elapsed / .microseconds(1)))
    }

    /// How many tasks are asleep on this clock now: a test waits for this before it advances, so
    /// that the sleep it means to end has begun.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    /// Waits (really, briefly, at most `limit`) until at least `count` tasks sleep on this clock,
    /// so that a test advances only once the code under test has started the wait it means to end.
    /// Throws `TestClock.Timeout` when they never do.
    public func sleepers(_ count: Int, within limit: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + limit
        while sleeping < count {
            guard ContinuousClock.now < deadline else { throw Timeout(expected: count, sleeping: sleeping) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Fewer tasks than a test expected went to sleep on the clock within its limit.
    public struct Timeout: Error, CustomStringConvertible {
        public var expected: Int
        public var sleeping: Int
        public var description: String { "expected \(expected) sleepers on the test clock, \(sleeping) came" }
    }

    /// The earliest deadline anyone sleeps until, if anyone sleeps.
    public var nextDeadline: Duration? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// Moves the clock forward by `span` and wakes the sleepers whose deadline has come.
    public func advance(by span: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.elapsed += max(.zero, span)
            return Self.takeDue(&state)
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public func sleep(until deadline: Duration) async throws {
        try Task.checkCancellation()
        if jumpsWhenSlept {
            let woken = state.withLock { state -> [Sleeper] in
                state.elapsed = max(state.elapsed, deadline)
                return Self.takeDue(&state)
            }
            for sleeper in woken { sleeper.continuation.resume() }
            return
        }
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.cancelledEarly.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.elapsed { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return sleeper }
                state.cancelledEarly.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Removes and returns, earliest first, the sleepers whose deadline is not after now.
    private static func takeDue(_ state: inout State) -> [Sleeper] {
        let due = state.sleepers.filter { $0.value.deadline <= state.elapsed }.sorted { $0.value.deadline < $1.value.deadline }
        for (id, _) in due { state.sleepers[id] = nil }
        return due.map(\.value)
    }
}
