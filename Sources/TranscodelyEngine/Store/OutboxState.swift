import Synchronization

/// What the SQLite outbox keeps in memory: which organizations have an active endpoint (so a job
/// change of any other costs no query), the event rule with its progress throttle, and who to ring
/// when a committed transaction queued deliveries.
final class OutboxState: Sendable {
    let activeOrgs = Mutex<Set<String>>([])
    let events = JobEventRule()
    let queued = Mutex(false)
    let bell = Mutex<(@Sendable () -> Void)?>(nil)
}
