import ShellKit

extension ShellError {
    /// The error as `command`'s (`submit: --output: …`), for a check shared by several commands.
    func of(_ command: String) -> ShellError {
        var error = self
        error.message = "\(command): \(message)"
        return error
    }
}
