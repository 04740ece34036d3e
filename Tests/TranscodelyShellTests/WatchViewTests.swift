import Foundation
import Testing
import Timekeeping
import TranscodelyAPI
@testable import TranscodelyShell

/// The terminal picture of `watch`: counts, overall bar with ETA, a bar per job, the most recently
/// changed first when they don't fit, no line wider than the terminal, and frames that overwrite
/// each other in place.
@Suite(.timeLimit(.minutes(5))) struct WatchViewTests {
    let start = TimeSource.Instant(offset: .seconds(100))

    func rows(_ count: Int) -> [WatchView.Row] {
        (0..<count).map { index in
            let status: JobStatus = index % 3 == 0 ? .completed : (index % 3 == 1 ? .processing : .pending)
            return WatchView.Row(id: "job_\(index)", input: "uploads/episode-\(index).mp4", status: status,
                                 progress: status == .completed ? 100 : (status == .processing ? 40 : 0), error: nil,
                                 changed: start + .milliseconds(index))
        }
    }

    @Test func everyJobFitsWithItsBarUnderAHeaderWithCountsAndETA() {
        let view = WatchView(rows: rows(6), started: start, now: start + .seconds(10), colors: false)
        let lines = view.lines(width: 100, height: 40)
        #expect(lines[0] == "watching 6 jobs: 2 pending · 2 processing · 2 completed")
        #expect(lines[1].hasSuffix(" 47%  2/6 ended  0:10 elapsed  ETA 0:11"))
        #expect(lines.count == 8 && lines.allSatisfy { $0.count <= 100 })
        #expect(lines[2].hasPrefix("job_0  uploads/episode-0.mp4  ██") && lines[2].hasSuffix("100%  completed "))
        #expect(lines[3].contains("░") && lines[3].contains(" 40%  processing"))
    }

    @Test func theMostRecentlyChangedAreShownWhenTheyDoNotFit() {
        let view = WatchView(rows: rows(50), started: start, now: start + .seconds(1), colors: false)
        let lines = view.lines(width: 60, height: 12)
        #expect(lines.count <= 12 && lines.allSatisfy { $0.count <= 60 })
        #expect(lines[2].hasPrefix("job_49 ") && lines[3].hasPrefix("job_48 "))
        #expect(lines.last == "… and 42 more (the most recently changed are shown)")
    }

    @Test func framesOverwriteThePreviousOneInPlace() {
        var screen = WatchScreen()
        let view = WatchView(rows: rows(3), started: start, now: start, colors: false)
        let first = screen.frame(view)
        #expect(first.hasPrefix("\u{1B}[?2026h\u{1B}[2K") && first.hasSuffix("\u{1B}[J\u{1B}[?2026l"))
        let second = screen.frame(view)
        // Back up over the five lines drawn, rewrite each, clear what is left below.
        #expect(second.hasPrefix("\u{1B}[?2026h\u{1B}[5A\r\u{1B}[2K"))
        #expect(second.components(separatedBy: "\u{1B}[2K").count == 6)
    }
}
