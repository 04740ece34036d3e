import ShellKit
import TranscodelyAPI
import TranscodelyClient

extension ClientError {
    /// The error as the shell shows it: the server's code and message; `derivedKey` says that the
    /// request's key was derived from it (no `--key`), which explains an `already_exists`.
    func shellError(_ command: String, derivedKey: Bool = false) -> ShellError {
        var text = "\(command): \(code.rawValue): \(message)"
        if code == .alreadyExists, derivedKey {
            text += " (that key was derived from the input, outputs and priority: give --key for a separate job, or the same --meta/--batch to get that one)"
        }
        return ShellError(text)
    }

    /// Throws `CancellationError` when the call was cut short by Ctrl-C (`Origin.cancelled`), so
    /// that a command which goes on past a failed call (to the next job, or to a fallback) stops
    /// there instead, and the shell says "interrupted".
    func stopIfCancelled() throws(CancellationError) {
        if origin == .cancelled { throw CancellationError() }
    }
}
