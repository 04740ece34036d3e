import Foundation

/// What history keeps of a line: never a password or a credential. A host names the options whose
/// value is sensitive (`--password`) and the shapes of its credentials wherever they appear
/// (regular expressions); each is replaced by `***` before a line reaches the history file.
public struct HistoryRedaction: Sendable {
    /// Options whose value is never kept (`--password VALUE`, `--password=VALUE`, quoted or not).
    public var options: [String]
    /// Regular expressions of credentials never kept wherever they appear.
    public var patterns: [String]

    public init(options: [String] = [], patterns: [String] = []) {
        self.options = options
        self.patterns = patterns
    }

    /// Keeps every line as typed.
    public static let none = HistoryRedaction()

    /// `line` with every sensitive value replaced by `***`.
    public func redact(_ line: String) -> String {
        var text = line
        for option in options {
            let pattern = "(" + NSRegularExpression.escapedPattern(for: option) + #"[= ]+)('[^']*'|"[^"]*"|\S+)"#
            text = text.replacingOccurrences(of: pattern, with: "$1***", options: .regularExpression)
        }
        for pattern in patterns {
            text = text.replacingOccurrences(of: pattern, with: "***", options: .regularExpression)
        }
        return text
    }
}
