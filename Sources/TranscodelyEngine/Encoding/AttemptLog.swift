import Foundation
import Synchronization

/// What one attempt at a job said, as `JobService/GetLog` shows it: the command the engine ran, the
/// tool, and the tool's own lines — bounded to the first lines (errors and warnings come first) and
/// the last ones before it stopped, at most `maxLines` lines and `maxBytes` bytes, with absolute
/// paths replaced by the names users know (relative to their origin).
public final class AttemptLog: Sendable {
    /// What the log holds at one moment.
    public struct Snapshot: Sendable, Hashable {
        public var command: [String]
        public var tool: String
        public var lines: [String]
        public var truncated: Bool
    }

    public static let maxLines = 200
    public static let maxBytes = 65_536
    /// Lines longer than this are cut (with `…`), so one runaway line cannot use the whole bound.
    static let maxLineBytes = 1_024
    /// How many of the bound go to the first lines; the rest are the last lines.
    static let headLines = 150

    private struct State {
        var command: [String] = []
        var tool: String
        var head: [String] = []
        var tail: [String] = []
        var dropped = false
        /// Longest first, so a folder inside another keeps its own name.
        var replacements: [(absolute: String, shown: String)] = []
    }

    private let state: Mutex<State>

    /// A log for an attempt with `tool`.
    public init(tool: String) {
        state = Mutex(State(tool: tool))
    }

    /// From now on, `absolute` in lines and arguments is shown as `shown` (a path relative to its
    /// origin, or a name users know).
    public func show(_ absolute: String, as shown: String) {
        guard !absolute.isEmpty else { return }
        state.withLock { state in
            state.replacements.append((absolute, shown))
            state.replacements.sort { $0.absolute.count > $1.absolute.count }
        }
    }

    /// Records the command about to run (the last one recorded is the attempt's command).
    public func command(_ executable: String, _ arguments: [String]) {
        let shown = ([executable] + arguments).map(relative)
        state.withLock { $0.command = shown }
    }

    /// Names the tool, with its version when known: `ffmpeg 5.1.6`.
    public func tool(_ name: String) {
        state.withLock { $0.tool = name }
    }

    /// Adds one line of the tool's output (or of the engine, for failures before any tool ran), and
    /// returns it as kept (paths shown relative, cut to its bound); nil for a blank line.
    @discardableResult
    public func append(_ line: some StringProtocol) -> String? {
        var text = relative(String(line)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if text.utf8.count > Self.maxLineBytes {
            text = String(decoding: Array(text.utf8.prefix(Self.maxLineBytes - 3)), as: UTF8.self) + "…"
        }
        state.withLock { state in
            if state.head.count < Self.headLines {
                state.head.append(text)
                return
            }
            state.tail.append(text)
            if state.tail.count > Self.maxLines - Self.headLines {
                state.tail.removeFirst()
                state.dropped = true
            }
        }
        return text
    }

    /// The log now, within its byte bound (first lines dropped from the end of the head until it fits).
    public var snapshot: Snapshot {
        state.withLock { state in
            var head = state.head
            var truncated = state.dropped
            let tailBytes = state.tail.reduce(0) { $0 + $1.utf8.count + 1 }
            var headBytes = head.reduce(0) { $0 + $1.utf8.count + 1 }
            while !head.isEmpty, headBytes + tailBytes > Self.maxBytes {
                headBytes -= head.removeLast().utf8.count + 1
                truncated = true
            }
            var lines = head
            if truncated { lines.append("…") }
            lines += state.tail
            return Snapshot(command: state.command, tool: state.tool, lines: lines, truncated: truncated)
        }
    }

    private func relative(_ text: String) -> String {
        var text = text
        for (absolute, shown) in state.withLock({ $0.replacements }) where text.contains(absolute) {
            text = text.replacingOccurrences(of: absolute, with: shown)
        }
        return text
    }
}
