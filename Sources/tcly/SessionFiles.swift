import Foundation
import ShellKit
import TranscodelyEngine

/// Where sessions are journaled: `$XDG_STATE_HOME/tcly/sessions/`, with `last` naming the newest.
enum SessionFiles {
    static var folder: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return URL(fileURLWithPath: base).appendingPathComponent("tcly/sessions")
    }

    /// The history file of the interactive shell (secrets redacted).
    static var history: URL { folder.deletingLastPathComponent().appendingPathComponent("history") }

    /// Makes the state directory and its `sessions` folder owner-only (0700) when they are
    /// missing; warns once when an existing state directory is open to other users (journals
    /// name jobs and files; history holds commands).
    static func prepare() throws {
        if let warning = try OwnerOnly.directory(folder.deletingLastPathComponent(), what: "the shell's state directory") { warn(warning) }
        _ = try OwnerOnly.directory(folder, what: "the shell's sessions directory")
    }

    /// A new journal for this session, remembered as the last one.
    static func newJournal() throws -> URL {
        try prepare()
        let stamp = Int(Date().timeIntervalSince1970)
        let url = folder.appendingPathComponent("session-\(stamp)-\(getpid()).jsonl")
        let last = folder.appendingPathComponent("last")
        try url.path.write(to: last, atomically: true, encoding: .utf8)
        _ = chmod(last.path, 0o600)
        return url
    }

    /// The journal of the last session.
    static func last() throws -> URL {
        guard let path = try? String(contentsOf: folder.appendingPathComponent("last"), encoding: .utf8) else {
            throw ShellError("no earlier session to resume in \(folder.path)")
        }
        return URL(fileURLWithPath: path.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
