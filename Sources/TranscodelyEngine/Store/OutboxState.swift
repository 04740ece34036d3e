import Synchronization

/// What the outbox keeps in memory: which organizations have an active endpoint (so a job change
/// of any other costs no query), when each running job last produced a progress event (they are
/// throttled), and who to ring when a committed transaction queued deliveries.
final class OutboxState: Sendable {
    let activeOrgs = Mutex<Set<String>>([])
    let lastProgress = Mutex<[String: Int64]>([:])
    let queued = Mutex(false)
    let bell = Mutex<(@Sendable () -> Void)?>(nil)
    /// At most one `job.progress` event per job per this many microseconds.
    let progressInterval: Int64 = 1_000_000
}
