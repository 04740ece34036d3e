import Testing
import TranscodelyAPI
@testable import TranscodelyShell

/// What `retry-failed` decides from a failure alone, and how `wait` reads a duration.
@Suite struct RetrySelectionTests {
    @Test func aRetryIsSkippedOnlyWhenTheFailureSaysItCannotHelp() {
        // An API without the new fields: what the code implies.
        #expect(!RetrySelection.canHelp(JobError(code: .inputUnreadable, message: ""), changed: false))
        #expect(!RetrySelection.canHelp(JobError(code: .unsupportedInput, message: ""), changed: false))
        #expect(RetrySelection.canHelp(JobError(code: .inputNotFound, message: ""), changed: false))
        #expect(RetrySelection.canHelp(JobError(code: .encodeFailed, message: ""), changed: false), "unknown: sent")
        // The server's word wins over the code's.
        #expect(RetrySelection.canHelp(JobError(code: .inputUnreadable, message: "", retryable: true), changed: false))
        #expect(!RetrySelection.canHelp(JobError(code: .encodeFailed, message: "", retryable: false), changed: false))
        // A changed request may cure a failure of the settings, never a bad input.
        #expect(RetrySelection.canHelp(JobError(code: .encodeFailed, message: "", category: .configuration, retryable: false), changed: true))
        #expect(!RetrySelection.canHelp(JobError(code: .inputUnreadable, message: ""), changed: true))
        #expect(RetrySelection.canHelp(nil, changed: false))
    }

    @Test func durationsReadAsTimeoutReadsThem() {
        #expect(DurationText.parse("90") == .seconds(90))
        #expect(DurationText.parse("90s") == .seconds(90))
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("1.5m") == .seconds(90))
        #expect(DurationText.parse("2h") == .seconds(7200))
        #expect(DurationText.parse("1d") == .seconds(86400))
        #expect(DurationText.parse("0") == .zero)
        for bad in ["", "s", "-1s", "1e3", "5x", "1.2.3s", "forever"] { #expect(DurationText.parse(bad) == nil, "\(bad)") }
        #expect(DurationText.format(.seconds(3)) == "3s")
        #expect(DurationText.format(.milliseconds(40)) == "0s")
        #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.seconds(7200)) == "2h")
    }
}
