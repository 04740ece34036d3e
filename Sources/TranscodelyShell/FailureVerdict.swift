import Foundation
import TranscodelyAPI

/// What a job's failure means to the person who has to act on it: one sentence of verdict, the
/// lines of the tool's output that matter, and the next commands to run. `why` prints it; it reads
/// only the wire error and the attempt log, so it works (with less to say) against an API that
/// sends neither the failure details nor `GetLog`.
struct FailureVerdict: Sendable {
    let job: Job
    let error: JobError

    init?(_ job: Job) {
        guard let error = job.error else { return nil }
        self.job = job
        self.error = error
    }

    /// Whether a retry of the same request can help: the server's word, else what the code implies.
    var retryable: Bool? { error.effectiveRetryable }

    /// `input_unreadable (input): the input is not readable media …; a retry will not help`.
    var sentence: String {
        let category = error.effectiveCategory.map { " (\($0.rawValue))" } ?? ""
        let help = switch retryable {
        case true?: "a retry may succeed"
        case false?: "a retry of the same request will not help"
        case nil: "the API does not say whether a retry can help"
        }
        return "\(error.code)\(category): \(meaning); \(help)"
    }

    /// What the code and category mean, in a phrase.
    var meaning: String {
        switch (JobError.Code(rawValue: error.code), error.effectiveCategory) {
        case (.inputNotFound?, _): "the input file is not in its origin"
        case (.inputUnreadable?, _): "the input is not readable media (empty, not media, truncated or damaged)"
        case (.unsupportedInput?, _): "the input holds nothing this engine can encode"
        case (.encodeFailed?, .configuration?): "the encoder refused the requested settings"
        case (.encodeFailed?, _) where retryable == true: "the encoder stopped before it finished"
        case (.encodeFailed?, _): "the encoder failed on this input"
        case (.outputWriteFailed?, _): "the outputs could not be written (a full disk, a permission, a missing folder)"
        case (.internal?, _): "the engine itself failed"
        case (nil, _): "a failure this shell does not know"
        }
    }

    /// `decode, at 5.9 s of 10.0 s (59%)`; nil when the API says nothing of where.
    var location: String? {
        var parts: [String] = []
        if let phase = error.phase { parts.append(phase.rawValue) }
        if let position = error.positionSeconds {
            if let duration = job.input?.durationSeconds, duration > 0 {
                parts.append(String(format: "at %.1f s of %.1f s (%.0f%%)", position, duration, min(100, position / duration * 100)))
            } else {
                parts.append(String(format: "at %.1f s", position))
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// Words in a tool's line that mark it as one of the errors (the rest is context).
    static let errorWords = ["error", "Error", "Invalid", "invalid", "partial file", "No space", "failed", "corrupt",
                             "not found", "does not exist", "Permission denied", "Read-only", "engine:", "refused", "stopped by signal"]

    /// The lines that matter, at most `limit`: the error lines first, then the last lines before the
    /// tool stopped (as context), each once and in their order.
    static func lines(thatMatter lines: [String], limit: Int = 12) -> (errors: [String], context: [String]) {
        func isError(_ line: String) -> Bool { errorWords.contains { line.contains($0) } }
        let errors = Array(lines.filter(isError).prefix(limit - 3))
        let context = Array(lines.filter { !isError($0) && $0 != "…" }.suffix(3))
        return (errors, context)
    }

    /// The next commands, concrete and copyable, for this job (`lineage` ends with the job itself).
    func next(newest: Job) -> [String] {
        let id = newest.id
        let folder = job.inputPath.contains("/") ? String(job.inputPath[...job.inputPath.lastIndex(of: "/")!]) : ""
        switch (JobError.Code(rawValue: error.code), error.effectiveCategory) {
        case (.inputNotFound?, _):
            return [folder.isEmpty ? "files \(job.inputOriginID)" : "files \(job.inputOriginID) \(SaveCommand.quote(folder))",
                    "retry-failed \(id)"]
        case (.encodeFailed?, .configuration?):
            return ["retry-failed \(id) --output mp4:720p"]
        case (.outputWriteFailed?, _):
            return ["free space or fix the permissions of output origin \(job.outputOriginID), then: retry-failed \(id)"]
        case (.inputUnreadable?, _), (.unsupportedInput?, _):
            return ["ffprobe the input (\(job.inputOriginID):\(job.inputPath)); replace it, then: retry-failed \(id) --all"]
        default:
            return retryable == false ? ["retry-failed \(id) --all"] : ["retry-failed \(id)"]
        }
    }
}
