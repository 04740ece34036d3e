import Foundation
import TranscodelyAPI

/// How an ffmpeg run that did not succeed becomes a job failure: from how it ended (an exit status,
/// a signal nobody in the engine sent) and from ffmpeg's own words, which are the only account
/// ffmpeg gives of what went wrong. Each rule names the category, whether the same request may
/// succeed later and the phase, and keeps the position ffmpeg had reached.
enum FFmpegFailure {
    /// Words of ffmpeg (and the OS errors it quotes) that say writing the outputs failed: a retry
    /// may succeed once there is room, or the permission is fixed.
    static let writeErrors = ["No space left on device", "Disk quota exceeded", "Read-only file system", "Permission denied",
                              "Error writing trailer", "Error closing file"]
    /// The write errors that mean failure even when ffmpeg exits 0.
    static let writeErrorsAtExitZero = ["No space left on device", "Disk quota exceeded", "Error writing trailer", "Error closing file"]
    /// Words that say the input's data is damaged: the same input fails the same way again.
    static let decodeErrors = ["Invalid data found when processing input", "error while decoding", "partial file",
                               "corrupt decoded frame", "moov atom not found", "Invalid NAL unit", "concealing",
                               "Packet corrupt", "missing picture in access unit"]
    /// Words that say an encoder refused its settings: the request must change.
    static let configurationErrors = ["Error initializing output stream", "Error while opening encoder", "Unknown encoder",
                                      "Error setting option", "Option not found", "Invalid encoder type",
                                      "Could not write header"]

    /// The failure of a run that ended with `exit`, given ffmpeg's lines (paths already shown
    /// relative) and the input position it had reached; nil when nothing says it failed (exit 0
    /// and no write error).
    static func classify(exit: ChildProcess.Exit, lines: [String], position: Double?, duration: Double) -> JobFailure? {
        let at = position.map { String(format: " at %.1f s of %.1f s", $0, duration) } ?? ""
        // ffmpeg may exit 0 after a failed write (seen with ENOSPC on the trailer): then only words
        // that cannot appear in a successful run's warnings count.
        let words = exit.status == 0 && !exit.signaled ? writeErrorsAtExitZero : writeErrors
        let errorLine = lines.last(where: { line in words.contains { line.contains($0) } })
        if let errorLine {
            return JobFailure(.outputWriteFailed, "writing the outputs failed\(at): \(errorLine)",
                              category: .output, retryable: true, phase: .write, positionSeconds: position)
        }
        if exit.signaled {
            return JobFailure(.encodeFailed, "ffmpeg was stopped by signal \(exit.status) (\(signalName(exit.status)))\(at); the encoder did not fail on its own, so a retry may succeed",
                              category: .engine, retryable: true, phase: .encode, positionSeconds: position)
        }
        guard exit.status != 0 else { return nil }
        let last = lines.last ?? "exit status \(exit.status)"
        if let line = lines.first(where: { line in configurationErrors.contains { line.contains($0) } }) {
            return JobFailure(.encodeFailed, "ffmpeg refused the encoder settings: \(line)",
                              category: .configuration, retryable: false, phase: .encode, positionSeconds: position)
        }
        if let line = lines.first(where: { line in decodeErrors.contains { line.contains($0) } }) {
            return JobFailure(.inputUnreadable, "the input is damaged\(at): \(line)",
                              category: .input, retryable: false, phase: .decode, positionSeconds: position)
        }
        return JobFailure(.encodeFailed, "ffmpeg failed\(at): \(last)",
                          category: .engine, retryable: false, phase: .encode, positionSeconds: position)
    }

    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGINT: "SIGINT"
        case SIGXCPU: "SIGXCPU"
        case SIGXFSZ: "SIGXFSZ"
        default: "signal \(number)"
        }
    }
}
