import Foundation
import TranscodelyAPI

/// Prints one line to standard error and exits with `code`: how every command reports a failure.
/// Never with an embedded engine running: stop it first (`ShellEntry.finish`).
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("tcly: \(message)\n".utf8))
    exit(code)
}

/// Prints one warning line to standard error; the program goes on.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("tcly: warning: \(message)\n".utf8))
}

/// The sentence of an error, for one-line reports.
func describe(_ error: any Error) -> String {
    (error as? ConnectError)?.message ?? String(describing: error)
}

/// Standard output for lines that other programs wait for (a test waits for "listening on"):
/// written and flushed at once, even when stdout is a pipe.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
