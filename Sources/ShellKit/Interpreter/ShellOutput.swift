import Foundation
import Synchronization

/// Where a shell writes: standard output and standard error, or anything else a host or a test
/// passes (a test collects what a script printed as a transcript).
public struct ShellOutput: Sendable {
    public var write: @Sendable (String) -> Void
    public var writeError: @Sendable (String) -> Void
    /// Whether output goes to a terminal (redrawn progress lines).
    public var isTerminal: Bool
    /// Whether to colour: on a terminal, and never when `NO_COLOR` is set.
    public var colors: Bool { isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    /// `text` in an ANSI colour when colours are on (31 red, 32 green, 33 yellow, 2 dim).
    public func paint(_ text: String, _ code: Int) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Redraws the current line in place (terminals only; elsewhere nothing is written).
    public func status(_ text: String) {
        if isTerminal { write("\r\u{1B}[K" + text) }
    }

    public init(isTerminal: Bool = false, write: @escaping @Sendable (String) -> Void,
                writeError: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        // While `--set NAME` captures a command's answer, its standard output is collected.
        self.write = { text in
            if let capture = ShellOutput.capturing, capture.take(text) { return }
            write(text)
        }
        self.writeError = writeError
    }

    /// The process's standard output and error.
    public static let standard = ShellOutput(
        isTerminal: isatty(1) == 1,
        write: { FileHandle.standardOutput.write(Data($0.utf8)) },
        writeError: { FileHandle.standardError.write(Data($0.utf8)) })

    /// Collects everything written, for tests: `transcript` holds stdout, `errors` stderr.
    public static func capture() -> (ShellOutput, Transcript) {
        let transcript = Transcript()
        return (ShellOutput(write: { transcript.append($0) }, writeError: { transcript.appendError($0) }), transcript)
    }

    /// Prints a line.
    public func line(_ text: String) { write(text + "\n") }

    /// Prints a line to standard error.
    public func error(_ text: String) { writeError(text + "\n") }
}
