import Foundation

/// The read-eval-print loop, in named steps: read a line (a continuation prompt while a quote or
/// a trailing `\` is open), run it, report. Ctrl-C cancels the running command and returns to
/// the prompt; Ctrl-D (end of input) or `exit` leaves. Without a terminal the same loop reads
/// plain lines and stops at the first failing command, as a script does. The prompts and what
/// history keeps come from the shell's `ShellProfile`. Each interactive loop takes Ctrl-C for
/// itself while it runs (`Interrupts`), so two loops in one process both get it.
public struct Repl<Host: Sendable>: Sendable {
    public let shell: Shell<Host>
    public let reader: any LineReader
    public let interactive: Bool

    /// A loop over `shell` reading from `reader`; `interactive` (a person at a terminal) keeps going
    /// after a failing command, takes Ctrl-C and keeps history.
    public init(shell: Shell<Host>, reader: any LineReader, interactive: Bool) {
        self.shell = shell
        self.reader = reader
        self.interactive = interactive
    }

    /// Runs until end of input or `exit`; returns the status to exit with.
    public func run() async -> Int32 {
        let interrupts = Interrupts()
        if interactive { interrupts.install() }
        defer { interrupts.uninstall() }
        let profile = shell.profile
        var pending = ""
        var line = 0
        var status: Int32 = 0
        while true {
            guard let input = await read(pending.isEmpty ? profile.prompt : profile.continuationPrompt) else { break }
            line += 1
            pending += (pending.isEmpty ? "" : "\n") + input
            let first = line - pending.split(separator: "\n", omittingEmptySubsequences: false).count + 1
            do {
                _ = try Parser(file: "<stdin>", longLineHint: profile.longLineHint).parse(pending, firstLine: first)
            } catch Parser.Failure.incomplete {
                continue
            } catch {}
            let text = pending
            pending = ""
            if interactive { reader.remember(profile.redaction.redact(text)) }
            let run = Task { await shell.run(text, file: "<stdin>", keepGoing: interactive ? true : nil, firstLine: first) }
            interrupts.current(run)
            status = await run.value
            interrupts.current(nil)
            if let code = await shell.exitRequested { return code }
            if !interactive, status != 0, await !shell.keepGoing { return status }
        }
        return interactive ? 0 : status
    }

    /// Reads on a thread of its own: waiting for a person must not hold a concurrency thread.
    private func read(_ prompt: String) async -> String? {
        let reader = reader
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: reader.read(prompt: prompt)) }.start()
        }
    }
}
