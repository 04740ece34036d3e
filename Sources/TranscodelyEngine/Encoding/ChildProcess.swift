import Foundation
import Synchronization

/// A program run by the engine (ffmpeg, ffprobe): its standard output read line by line as it
/// comes, the end of its standard error kept for messages, and cancellation that stops it — SIGTERM
/// first, SIGKILL after a grace period — before returning.
final class ChildProcess: @unchecked Sendable {
    /// How the program ended.
    struct Exit: Sendable {
        var status: Int32
        /// True when it ended by a signal (including ours on cancellation).
        var signaled: Bool
        /// The last lines of standard error.
        var errorTail: String
    }

    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let errorText = Locked("")
    private let partialLine = Locked("")
    private let partialErrorLine = Locked("")
    // `Process` is not Sendable; every use of it after `run()` is through these thread-safe calls.

    /// Prepares `executable` (a path, or a name looked up in PATH) with `arguments`.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) {
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable]
        }
        process.arguments = (process.arguments ?? []) + arguments
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
    }

    /// Runs the program to its end, handing each line of standard output to `onLine` and each line
    /// of standard error to `onErrorLine`. Cancelling the calling task stops the program (SIGTERM,
    /// then SIGKILL after `grace`) and throws `CancellationError` once it has exited.
    func run(grace: Duration = .seconds(5), onLine: @escaping @Sendable (Substring) -> Void = { _ in },
             onErrorLine: @escaping @Sendable (Substring) -> Void = { _ in }) async throws -> Exit {
        let exited = Latch()
        process.terminationHandler = { _ in exited.open() }
        try process.run()
        // The child holds the write ends now; closing ours lets the readers see end of file.
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        let outputRead = Self.drain(output.fileHandleForReading) { [partialLine] data in
            for line in Self.completeLines(data, rest: partialLine) { onLine(line) }
        }
        let errorRead = Self.drain(errors.fileHandleForReading) { [errorText, partialErrorLine] data in
            errorText.withLock { text in
                text += String(decoding: data, as: UTF8.self)
                if text.utf8.count > 16_384 { text = String(text.suffix(8192)) }
            }
            for line in Self.completeLines(data, rest: partialErrorLine) { onErrorLine(line) }
        }
        let pid = process.processIdentifier
        await withTaskCancellationHandler {
            // Not cancellable on purpose: even when cancelled we wait until the program has gone.
            await exited.wait()
        } onCancel: {
            kill(pid, SIGTERM)
            Task.detached {
                try? await Task.sleep(for: grace)
                if !exited.isOpen { kill(pid, SIGKILL) }
            }
        }
        // Every byte it wrote is read before we answer, in order.
        await outputRead.wait()
        await errorRead.wait()
        let rest = partialLine.value
        if !rest.isEmpty { onLine(Substring(rest)) }
        let errorRest = partialErrorLine.value
        if !errorRest.isEmpty { onErrorLine(Substring(errorRest)) }
        let exit = Exit(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                        errorTail: errorText.value.split(separator: "\n").suffix(8).joined(separator: "\n"))
        try Task.checkCancellation()
        return exit
    }

    /// The lines `data` completes, given the unfinished line before it (kept in `rest` for the next chunk).
    private static func completeLines(_ data: Data, rest: Locked<String>) -> [Substring] {
        rest.withLock { rest -> [Substring] in
            rest += String(decoding: data, as: UTF8.self)
            guard let last = rest.lastIndex(of: "\n") else { return [] }
            let complete = rest[..<last].split(separator: "\n", omittingEmptySubsequences: false)
            rest = String(rest[rest.index(after: last)...])
            return complete.map { Substring($0) }
        }
    }

    /// Reads a pipe to its end on a thread of its own (a blocking read must not hold one of the
    /// few threads Swift concurrency runs tasks on), handing each chunk to `consume`.
    private static func drain(_ handle: FileHandle, _ consume: @escaping @Sendable (Data) -> Void) -> Latch {
        let done = Latch()
        let thread = Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                consume(data)
            }
            done.open()
        }
        thread.start()
        return done
    }

    /// Runs a program to its end and returns its whole standard output (for short programs: ffprobe).
    static func output(_ executable: String, _ arguments: [String],
                       onErrorLine: @escaping @Sendable (Substring) -> Void = { _ in }) async throws -> (Exit, String) {
        let collected = Locked("")
        let child = ChildProcess(executable, arguments)
        let exit = try await child.run(onLine: { line in collected.withLock { $0 += line + "\n" } }, onErrorLine: onErrorLine)
        return (exit, collected.value)
    }
}
