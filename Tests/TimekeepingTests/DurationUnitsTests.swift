import Testing
import Timekeeping

/// A duration in each unit the code speaks, its fractions kept or dropped as each one says.
@Suite struct DurationUnitsTests {
    @Test func eachUnitOfOneDuration() {
        let duration = Duration.seconds(2) + .microseconds(500_250) + .nanoseconds(7)
        #expect(duration.timeInterval == 2.500250007)
        #expect(duration.milliseconds == 2500)
        #expect(duration.microseconds == 2_500_250)
        #expect(duration.nanoseconds == 2_500_250_007)
        #expect(Duration.zero.timeInterval == 0 && Duration.zero.microseconds == 0)
        #expect(Duration.seconds(86_400 * 365).microseconds == 31_536_000_000_000)
    }
}
