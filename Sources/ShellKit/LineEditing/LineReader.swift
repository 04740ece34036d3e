import Foundation

/// Reads the lines a user types: the one extension point between the shell and a terminal. The
/// libedit reader edits lines with history and completion; the plain reader serves pipes and
/// scripts, so both go through the same loop.
public protocol LineReader: AnyObject, Sendable {
    /// The next line without its newline, or nil at end of input (Ctrl-D).
    func read(prompt: String) -> String?
    /// A line the user ran, for history.
    func remember(_ line: String)
}

/// Lines from standard input with no prompt and no escape codes: for pipes and scripts.
public final class PlainLineReader: LineReader {
    public init() {}
    public func read(prompt: String) -> String? { Swift.readLine(strippingNewline: true) }
    public func remember(_ line: String) {}
}

/// What history keeps of a line: never a secret. An `--api-key` value, and anything shaped like
/// an API key (`tk_…`) or a webhook secret (`whsec_…`), is replaced by `***`.
public enum HistoryRedaction {
    public static func redact(_ line: String) -> String {
        var text = line
        for pattern in [#"(--api-key[= ]+)('[^']*'|"[^"]*"|\S+)"#] {
            text = text.replacingOccurrences(of: pattern, with: "$1***", options: .regularExpression)
        }
        for pattern in [#"\btk_[A-Za-z0-9_]{12,}"#, #"\bwhsec_[A-Za-z0-9+/=_-]{8,}"#] {
            text = text.replacingOccurrences(of: pattern, with: "***", options: .regularExpression)
        }
        return text
    }
}
