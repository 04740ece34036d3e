import Dispatch
import Foundation
import Synchronization

/// The read-eval-print loop, in named steps: read a line (a continuation prompt while a quote or
/// a trailing `\` is open), run it, report. Ctrl-C cancels the running command and returns to
/// the prompt; Ctrl-D (end of input) or `exit` leaves. Without a terminal the same loop reads
/// plain lines and stops at the first failing command, as a script does.
public struct Repl: Sendable {
    public let shell: Shell
    public let reader: any LineReader
    public let interactive: Bool
    public var prompt = "tcly> "
    public var continuation = "  ...> "

    public init(shell: Shell, reader: any LineReader, interactive: Bool) {
        self.shell = shell
        self.reader = reader
        self.interactive = interactive
    }

    /// Runs until end of input or `exit`; returns the status to exit with.
    public func run() async -> Int32 {
        let interrupts = Interrupts()
        if interactive { interrupts.install() }
        var pending = ""
        var line = 0
        var status: Int32 = 0
        while true {
            guard let input = await read(pending.isEmpty ? prompt : continuation) else { break }
            line += 1
            pending += (pending.isEmpty ? "" : "\n") + input
            let first = line - pending.split(separator: "\n", omittingEmptySubsequences: false).count + 1
            do {
                _ = try Parser(file: "<stdin>").parse(pending, firstLine: first)
            } catch Parser.Failure.incomplete {
                continue
            } catch {}
            let text = pending
            pending = ""
            if interactive { reader.remember(text) }
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

/// SIGINT while a command runs cancels it; at the prompt it is ignored (the shell stays).
final class Interrupts: Sendable {
    private let running = Mutex<Task<Int32, Never>?>(nil)
    /// The dispatch source, kept alive for the process's life once installed.
    nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?
    private static let installed = Mutex(false)

    func install() {
        let first = Self.installed.withLock { done in defer { done = true }; return !done }
        signal(SIGINT, SIG_IGN)
        let signals = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signals.setEventHandler { [self] in
            running.withLock { $0 }?.cancel()
        }
        signals.resume()
        if first { Self.source = signals } else { signals.cancel() }
    }

    func current(_ task: Task<Int32, Never>?) { running.withLock { $0 = task } }
}
