import Synchronization
import TranscodelyAPI

/// The latest state of recently written or read jobs, so that Get answers without a store read.
///
/// Sound because one engine is the only writer of its store's jobs (the data directory lock makes
/// sure of it): every write puts its result here after it commits, and a put never replaces a
/// newer state (`updated_at` is strictly increasing), whatever order concurrent puts arrive in.
final class JobCache: Sendable {
    private struct Entry {
        var orgID: String
        var job: Job
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    func job(id: String, orgID: String) -> Job?? {
        entries.withLock { table -> Job?? in
            guard let entry = table[id] else { return .none }
            return .some(entry.orgID == orgID ? entry.job : nil)
        }
    }

    func put(_ job: Job, orgID: String) {
        entries.withLock { table in
            if let current = table[job.id], current.job.updatedAt >= job.updatedAt { return }
            if table.count >= capacity, table[job.id] == nil { table.removeAll(keepingCapacity: true) }
            table[job.id] = Entry(orgID: orgID, job: job)
        }
    }
}
