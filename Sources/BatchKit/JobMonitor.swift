import TranscodelyAPI
import TranscodelyClient

/// Follows a set of jobs at the cost of one `List(updated_since)` request per tick (plus one per
/// further page of changes) — never one Get per job — and tells what changed. Jobs pushed by
/// webhooks go through `apply` and are told the same way.
///
/// Per job it keeps a compact record (status, progress, last update), so a million followed jobs
/// fit in a few hundred megabytes.
public actor JobMonitor {
    /// What the monitor knows of one job.
    public struct Record: Sendable, Hashable {
        public var status: JobStatus
        public var progress: Float
        /// `updated_at` in microseconds.
        public var updatedAt: Int64
    }

    private var records: [String: Record] = [:]
    /// Only jobs changed after this are asked for.
    private var cursor: Timestamp?
    private let metadata: [String: String]
    /// List requests made (for the cost figures).
    public private(set) var requests = 0

    /// `metadata` narrows the List to the jobs of one batch (`batch_id`), when they carry it.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
        followsAllListed = !metadata.isEmpty
    }

    /// Starts following jobs as they are now.
    public func track(_ jobs: [Job]) {
        for job in jobs {
            if records[job.id] == nil {
                records[job.id] = Record(status: job.status, progress: Float(job.progress), updatedAt: job.updatedAt.microseconds)
            } else {
                _ = merge(job)
            }
        }
    }

    /// Starts following job ids whose state is not known yet (shown as pending).
    public func track(ids: [String]) {
        for id in ids where records[id] == nil {
            records[id] = Record(status: .pending, progress: 0, updatedAt: 0)
        }
    }

    public var count: Int { records.count }

    /// Jobs that have not ended.
    public var open: Int { records.values.reduce(0) { $0 + ($1.status.isTerminal ? 0 : 1) } }

    /// Jobs per status.
    public var counts: [JobStatus: Int] {
        records.values.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
    }

    public func record(_ id: String) -> Record? { records[id] }

    /// One tick: the followed jobs that changed since the last tick.
    public func poll(_ client: any JobServiceClient, pageSize: Int = 1000) async throws(ClientError) -> [Job] {
        var changed: [Job] = []
        var token = ""
        var newest = cursor
        repeat {
            let page = try await client.list(ListJobsRequest(metadata: metadata, updatedSince: cursor,
                                                             pageSize: pageSize, pageToken: token))
            requests += 1
            for job in page.jobs {
                if newest.map({ job.updatedAt > $0 }) ?? true { newest = job.updatedAt }
                if merge(job) { changed.append(job) }
            }
            token = page.nextPageToken
        } while !token.isEmpty
        cursor = newest
        return changed
    }

    /// A job pushed by a webhook: whether it told something new.
    public func apply(_ job: Job) -> Bool { merge(job) }

    /// Keeps the newer of what is known and `job`; true when it changed something followed.
    private func merge(_ job: Job) -> Bool {
        let incoming = Record(status: job.status, progress: Float(job.progress), updatedAt: job.updatedAt.microseconds)
        if let known = records[job.id] {
            guard incoming.updatedAt > known.updatedAt else { return false }
            records[job.id] = incoming
            return known.status != incoming.status || known.progress != incoming.progress
        }
        guard followsAllListed else { return false }
        records[job.id] = incoming
        return true
    }

    /// Whether jobs the List returns that were never named are followed too.
    private var followsAllListed: Bool

    /// Follows every job the List returns from now on: a whole organization, or with metadata,
    /// a whole batch (the default when the monitor filters by metadata).
    public func followAllListed() { followsAllListed = true }
}
