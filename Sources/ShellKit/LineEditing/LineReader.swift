import Foundation

/// Reads the lines a user types: the one extension point between the shell and a terminal. The
/// libedit reader edits lines with history and completion; the plain reader serves pipes and
/// scripts, so both go through the same loop.
public protocol LineReader: AnyObject, Sendable {
    /// The next line without its newline, or nil at end of input (Ctrl-D).
    func read(prompt: String) -> String?
    /// A line the user ran, for history (already redacted by the `Repl`: see `ShellProfile`).
    func remember(_ line: String)
}
