import Synchronization

/// Standard output of the command running in this task, collected instead of printed: how the
/// shell captures a command's `--json` answer for `--set NAME` without the command knowing.
/// Every `ShellOutput` writes here while one is set for the task (`ShellOutput.capturing`);
/// standard error is never captured. Once closed (the command ended), later writes — from work
/// the command left running — go where they would have gone.
final class OutputCapture: Sendable {
    private let state = Mutex((text: "", closed: false))

    /// Takes `text` unless closed; false means "write it yourself".
    func take(_ text: String) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.text += text
            return true
        }
    }

    /// Stops collecting and returns what was collected.
    func close() -> String {
        state.withLock { state in
            state.closed = true
            return state.text
        }
    }
}

extension ShellOutput {
    /// The capture of the command running in this task, if `--set` asked for one.
    @TaskLocal static var capturing: OutputCapture?
}
