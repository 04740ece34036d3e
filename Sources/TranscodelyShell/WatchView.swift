import Foundation
import Timekeeping
import TranscodelyAPI

/// The picture `watch` draws on a terminal: a header with counts per status, an overall bar with
/// an ETA, then a line per job with its own bar — the most recently changed first when they don't
/// all fit. Pure: it turns the watched jobs into lines of at most `width` columns; `WatchScreen`
/// puts them on the terminal.
struct WatchView {
    /// One watched job as the view shows it.
    struct Row {
        var id: String
        var input: String
        var status: JobStatus
        var progress: Double
        var error: String?
        /// When this watch last saw it change (orders the rows that do not fit).
        var changed: TimeSource.Instant
    }

    var rows: [Row]
    var started: TimeSource.Instant
    var now: TimeSource.Instant
    var colors: Bool

    /// The frame's lines for a terminal of `width` × `height`.
    func lines(width: Int, height: Int) -> [String] {
        let width = max(20, width)
        var counts: [JobStatus: Int] = [:]
        for row in rows { counts[row.status, default: 0] += 1 }
        let order: [JobStatus] = [.pending, .probing, .processing, .completed, .failed, .canceled]
        let header = "watching \(rows.count) job\(rows.count == 1 ? "" : "s"): "
            + order.filter { counts[$0, default: 0] > 0 }.map { "\(counts[$0]!) \($0.rawValue)" }.joined(separator: " · ")
        let overall = rows.isEmpty ? 1 : rows.reduce(0.0) { $0 + ($1.status.isTerminal ? 1 : $1.progress / 100) } / Double(rows.count)
        let ended = rows.filter(\.status.isTerminal).count
        var summary = "\(String(format: "%3.0f%%", overall * 100))  \(ended)/\(rows.count) ended  \(Self.clock(now - started)) elapsed"
        if let eta = eta(overall) { summary += "  ETA \(Self.clock(eta))" }
        let overallBar = Self.bar(overall, width: max(10, width - summary.count - 3))
        var lines = [fit(header, width), fit(paintBar(overallBar, failed: counts[.failed, default: 0] > 0) + "  " + summary, width, visible: overallBar.count + 2 + summary.count)]
        let room = max(0, height - lines.count - 1)
        var shown = rows
        if shown.count > room {
            shown = Array(rows.sorted { $0.changed > $1.changed }.prefix(max(0, room - 1)))
        }
        let idWidth = min(26, shown.map(\.id.count).max() ?? 0)
        let inputWidth = min(max(10, width / 4), shown.map(\.input.count).max() ?? 0)
        for row in shown {
            let percent = row.status == .completed ? 100 : row.progress
            let status = row.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            let left = Self.pad(row.id, idWidth) + "  " + Self.pad(row.input, inputWidth) + "  "
            var right = "  " + String(format: "%3.0f%%", percent) + "  " + status
            if let error = row.error {
                // Cut to the room left beside the narrowest bar: a wrapped line would break the redraw.
                let room = width - left.count - right.count - 5 - 2
                if room > 3 { right += "  " + (error.count > room ? String(error.prefix(room - 1)) + "…" : error) }
            }
            let barWidth = max(5, min(30, width - left.count - right.count))
            let bar = Self.bar(percent / 100, width: barWidth)
            lines.append(fit(left + paint(bar, row.status) + right, width, visible: left.count + bar.count + right.count))
        }
        if shown.count < rows.count { lines.append(fit("… and \(rows.count - shown.count) more (the most recently changed are shown)", width)) }
        return lines
    }

    /// Time left at the pace so far, once there is a pace to go by.
    private func eta(_ overall: Double) -> Duration? {
        let elapsed = now - started
        guard overall > 0.01, (overall < 1), elapsed > Duration.milliseconds(500) else { return nil }
        return elapsed * ((1 - overall) / overall)
    }

    private func paint(_ bar: String, _ status: JobStatus) -> String {
        guard colors else { return bar }
        let code = switch status {
        case .completed: 32
        case .failed: 31
        case .canceled: 33
        default: 36
        }
        return "\u{1B}[\(code)m\(bar)\u{1B}[0m"
    }

    private func paintBar(_ bar: String, failed: Bool) -> String {
        colors ? "\u{1B}[\(failed ? 33 : 32)m\(bar)\u{1B}[0m" : bar
    }

    /// Cuts a line to `width` columns (by its visible length, colours aside).
    private func fit(_ text: String, _ width: Int, visible: Int? = nil) -> String {
        let length = visible ?? text.count
        guard length > width else { return text }
        if visible != nil, colors { return text }  // coloured lines are built to fit
        return String(text.prefix(width - 1)) + "…"
    }

    static func bar(_ fraction: Double, width: Int) -> String {
        let clamped = min(1, max(0, fraction.isFinite ? fraction : 0))
        let filled = Int((clamped * Double(width)).rounded(.down))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count > width ? String(text.prefix(max(1, width - 1))) + "…" : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    static func clock(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return seconds >= 3600 ? String(format: "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                               : String(format: "%d:%02d", seconds / 60, seconds % 60)
    }
}
