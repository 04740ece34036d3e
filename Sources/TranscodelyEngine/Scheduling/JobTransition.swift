import TranscodelyAPI

/// A change in a job's life, and the one place that decides whether it is allowed.
///
/// pending → probing → processing → completed | failed; canceled from any non-terminal state;
/// terminal states never change; progress never decreases (not even when a restart re-runs a job).
public enum JobTransition: Sendable {
    /// A worker took the job: pending → probing.
    case probing
    /// Probing found the input: probing → processing.
    case probed(MediaInfo)
    /// Encoding advanced (0–100).
    case progress(Double)
    /// Every output is in place: processing → completed, progress 100.
    case completed([OutputResult])
    /// The job ended in failure (from probing or processing). `input` is what probing read of it
    /// when it read enough to know (a truncated file's index), for a failure found after that.
    case failed(JobError, input: MediaInfo? = nil)
    /// The user cancelled it (from any non-terminal state).
    case canceled
    /// The engine stopped while it ran; it will run again from scratch: probing/processing → pending.
    case requeued

    /// The job after the transition at `now`, or nil when the transition does not apply to it.
    public func apply(to job: Job, at now: Timestamp) -> Job? {
        guard !job.status.isTerminal else { return nil }
        var next = job
        switch self {
        case .probing:
            guard job.status == .pending else { return nil }
            next.status = .probing
            next.startedAt = now
        case let .probed(info):
            guard job.status == .probing else { return nil }
            next.status = .processing
            next.input = info
        case let .progress(value):
            guard job.status == .processing else { return nil }
            next.progress = max(job.progress, min(100, max(0, value)))
            if next.progress == job.progress { return nil }
        case let .completed(results):
            guard job.status == .processing else { return nil }
            next.status = .completed
            next.progress = 100
            next.results = results
            next.completedAt = now
        case let .failed(error, input):
            guard job.status == .probing || job.status == .processing else { return nil }
            next.status = .failed
            next.error = error
            if next.input == nil, let input { next.input = input }
            next.completedAt = now
        case .canceled:
            next.status = .canceled
            next.completedAt = now
        case .requeued:
            guard job.status == .probing || job.status == .processing else { return nil }
            next.status = .pending
        }
        next.updatedAt = now
        return next
    }
}
