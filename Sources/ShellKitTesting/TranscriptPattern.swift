import Foundation

/// An expected transcript where `…` stands for any text within one line (an id the server
/// generated, a time), so that a test still compares the whole of what a user sees.
public struct TranscriptPattern: Sendable {
    public var expected: String
    /// Whether `…` is only itself.
    public var exactly: Bool

    public init(_ expected: String, exactly: Bool = false) {
        self.expected = expected
        self.exactly = exactly
    }

    /// Whether `text` is what was expected.
    public func matches(_ text: String) -> Bool {
        guard !exactly, expected.contains("…") else { return text == expected }
        let pattern = expected.components(separatedBy: "…").map(NSRegularExpression.escapedPattern).joined(separator: "[^\\n]*")
        guard let regex = try? NSRegularExpression(pattern: "\\A" + pattern + "\\z") else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
