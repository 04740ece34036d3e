import Synchronization
import TranscodelyAPI

/// Which webhook event a job change gives, if any — the one rule every store applies inside the
/// transaction that makes the change: `job.completed`/`failed`/`canceled` when the job ends,
/// `job.progress` while it runs (a change of status or progress), at most one per job per
/// `progressInterval`.
///
/// The throttle is kept in memory: only the engine running a job writes its progress, so each
/// engine needs only its own jobs' last progress event.
public final class JobEventRule: Sendable {
    private let lastProgress = Mutex<[String: Int64]>([:])
    /// At most one `job.progress` event per job per this many microseconds.
    public let progressInterval: Int64

    public init(progressInterval: Int64 = 1_000_000) { self.progressInterval = progressInterval }

    /// The event `previous → next` gives, or nil (an ended job's later change, no visible
    /// change, or a progress event too soon after the last). Counts a progress event as sent.
    public func kind(from previous: Job, to next: Job) -> WebhookEvent.Kind? {
        if next.status.isTerminal {
            guard !previous.status.isTerminal else { return nil }
            lastProgress.withLock { _ = $0.removeValue(forKey: next.id) }
            return WebhookEvent.Kind(for: next.status)
        }
        guard next.progress != previous.progress || next.status != previous.status else { return nil }
        let now = next.updatedAt.microseconds
        let interval = progressInterval
        let due = lastProgress.withLock { last -> Bool in
            if let at = last[next.id], now - at < interval { return false }
            last[next.id] = now
            return true
        }
        return due ? .progress : nil
    }
}
