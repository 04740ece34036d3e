import Testing
import Timekeeping
import TranscodelyAPI

/// The test clock moves only when told, wakes exactly the sleepers whose deadline passed, and
/// lets a cancelled sleeper go at once.
@Suite(.timeLimit(.minutes(1))) struct TestClockTests {
    @Test func standsStillUntilAdvancedAndStampsFromItsStart() {
        let clock = TestClock(start: Timestamp(microseconds: 1_000_000))
        #expect(clock.source.now == TimeSource.Instant(offset: .zero))
        clock.advance(by: .milliseconds(1500))
        #expect(clock.elapsed == .milliseconds(1500))
        #expect(clock.source.timestamp == Timestamp(microseconds: 2_500_000))
        #expect(clock.source.now - TimeSource.Instant(offset: .zero) == .milliseconds(1500))
    }

    @Test func wakesOnlyTheSleepersWhoseDeadlinePassed() async throws {
        let clock = TestClock()
        let early = Task { try await clock.source.sleep(for: .seconds(1)); return clock.elapsed }
        let late = Task { try await clock.source.sleep(for: .seconds(5)); return clock.elapsed }
        try await clock.sleepers(2)
        #expect(clock.nextDeadline == .seconds(1))
        clock.advance(by: .seconds(2))
        #expect(try await early.value == .seconds(2))
        #expect(clock.sleeping == 1, "the five-second sleeper sleeps on")
        clock.advance(by: .seconds(3))
        #expect(try await late.value == .seconds(5))
        #expect(clock.sleeping == 0)
    }

    @Test func aDeadlineAlreadyPastReturnsAtOnce() async throws {
        let clock = TestClock()
        clock.advance(by: .seconds(10))
        try await clock.source.sleep(until: TimeSource.Instant(offset: .seconds(3)))
        #expect(clock.sleeping == 0)
    }

    @Test func cancellingASleeperEndsItsSleepWithCancellationError() async throws {
        let clock = TestClock()
        let sleeper = Task { try await clock.source.sleep(for: .seconds(60)) }
        try await clock.sleepers(1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeping == 0)
        #expect(clock.elapsed == .zero)
    }

    @Test func aJumpingClockMovesToTheDeadlineOfWhoeverSleeps() async throws {
        let clock = TestClock(jumpsWhenSlept: true)
        try await clock.source.sleep(for: .seconds(90))
        #expect(clock.elapsed == .seconds(90))
    }

    @Test func sleepersGivesUpWhenNobodySleeps() async throws {
        let clock = TestClock()
        await #expect(throws: TestClock.Timeout.self) { try await clock.sleepers(1, within: .milliseconds(20)) }
    }

    @Test func theSystemSourceSleepsAndMeasuresForward() async throws {
        let source = TimeSource.system
        let before = source.now, stamp = source.timestamp
        try await source.sleep(for: .milliseconds(5))
        #expect(source.now - before >= .milliseconds(5))
        #expect(source.timestamp >= stamp)
    }
}
