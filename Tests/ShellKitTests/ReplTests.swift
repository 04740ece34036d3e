import ArgumentParser
import Foundation
import Synchronization
import Testing
@testable import ShellKit

/// A command that waits until it is cancelled (30 s at most), saying when it starts.
struct BlockCommand: ShellCommand {
    static let about = CommandAbout(name: "block", group: "Test", summary: "wait until interrupted", example: "block")

    func run(in shell: Shell<Void>) async throws {
        shell.output.line("blocking")
        try await Task.sleep(for: .seconds(30))
        shell.output.line("not interrupted")
    }
}

/// A command whose library turns a cancellation into an error of its own (as an HTTP client
/// reports a call cut short), saying when it starts.
struct WrappedBlockCommand: ShellCommand {
    static let about = CommandAbout(name: "wrapped-block", group: "Test", summary: "wait; fail in its own words when interrupted",
                                    example: "wrapped-block")

    func run(in shell: Shell<Void>) async throws {
        shell.output.line("blocking")
        do { try await Task.sleep(for: .seconds(30)) } catch { throw ShellError("wrapped-block: unavailable: the call failed: \(error)") }
        shell.output.line("not interrupted")
    }
}

/// Lines a test types, then end of input.
final class ScriptedReader: LineReader {
    private let lines: Mutex<[String]>
    init(_ lines: [String]) { self.lines = Mutex(lines) }
    func read(prompt: String) -> String? { lines.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    func remember(_ line: String) {}
}

@Suite(.timeLimit(.minutes(1))) struct ReplTests {
    /// An interactive loop over `lines`, its transcript, and its run.
    func start(_ lines: [String]) -> (Transcript, Task<Int32, Never>) {
        let (output, transcript) = ShellOutput.capture()
        let shell = Shell(registry: CommandRegistry([BlockCommand.self]), output: output)
        let repl = Repl(shell: shell, reader: ScriptedReader(lines), interactive: true)
        return (transcript, Task { await repl.run() })
    }

    /// Waits (10 s at most) until `transcript` has printed `text` `count` times.
    func waitFor(_ transcript: Transcript, _ text: String, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while transcript.output.components(separatedBy: text).count - 1 < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("waited 10 s for \(count)× \"\(text)\"; printed: \(transcript.output)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func twoLoopsBothGetCtrlCAndTheLastPutsTheDispositionBack() async throws {
        // A handler of its own to start from (a process started in the background may ignore
        // SIGINT already), so that "put back" is seen; the original comes back at the end.
        let original = signal(SIGINT) { _ in }
        defer { _ = signal(SIGINT, original) }
        let before = SignalDisposition.current()
        #expect(before != SignalDisposition.ignore)
        let (first, firstRun) = start(["block"])
        let (second, secondRun) = start(["block", "block"])
        try await waitFor(first, "blocking", count: 1)
        try await waitFor(second, "blocking", count: 1)
        // While loops listen, SIGINT is not the test's handler (it is ignored, or dispatch's own).
        #expect(SignalDisposition.current() != before)
        kill(getpid(), SIGINT)
        // Both commands are interrupted; the first loop then ends, the second runs its next line.
        #expect(await firstRun.value == 0)
        try await waitFor(second, "blocking", count: 2)
        #expect(first.errors == "interrupted\n" && !first.output.contains("not interrupted"))
        #expect(second.errors == "interrupted\n")
        // One loop has ended: the other still holds SIGINT, and still gets it.
        #expect(SignalDisposition.current() != before)
        kill(getpid(), SIGINT)
        #expect(await secondRun.value == 0)
        #expect(second.errors == "interrupted\ninterrupted\n" && !second.output.contains("not interrupted"))
        #expect(SignalDisposition.current() == before)
    }

    /// Ctrl-C is what happened, however the command's libraries word the failure it causes: the
    /// shell says "interrupted" (status 130), not the wrapped error. (The command's task is
    /// cancelled as Ctrl-C cancels it, without a signal, which the test above counts.)
    @Test func anInterruptedCommandIsInterruptedWhateverItThrows() async throws {
        let (output, transcript) = ShellOutput.capture()
        let shell = Shell(registry: CommandRegistry([WrappedBlockCommand.self]), output: output)
        let run = Task { await shell.run("wrapped-block") }
        try await waitFor(transcript, "blocking", count: 1)
        run.cancel()
        #expect(await run.value == 130)
        #expect(transcript.errors == "interrupted\n" && !transcript.output.contains("not interrupted"), "\(transcript.errors)")
    }
}
