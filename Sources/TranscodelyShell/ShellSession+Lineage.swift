import BatchKit
import TranscodelyAPI

/// The attempts of one item: a job, the retry `retry-failed` made of it, that retry's retry, …,
/// linked by `retryOf`. `show` (and `why`) print the chain; `status`/`watch` show its newest.
extension ShellSession {
    /// The session's entry for a job id, if it knows the job.
    public func entry(id: String) -> Entry? {
        index[id].map { entry(records[Int($0)]) }
    }

    /// Every attempt of the item `jobID` belongs to, the original first: back through `retryOf`
    /// to the job that retried nothing, then from `jobID` forward through each job's newest retry
    /// (a job retried twice, with and without a change, continues with the later). Just the job
    /// when the session knows no retry of it; empty when it does not know the job.
    public func chain(of jobID: String) -> [Entry] {
        guard let position = index[jobID] else { return [] }
        var chain = [records[Int(position)]]
        var seen: Set<String> = [jobID]
        while let parent = chain[0].retryOf, let up = index[parent], seen.insert(parent).inserted {
            chain.insert(records[Int(up)], at: 0)
        }
        while let next = records.last(where: { $0.retryOf == chain.last!.id }), seen.insert(next.id).inserted {
            chain.append(next)
        }
        return chain.map(entry)
    }

    /// The newest attempt of the item `jobID` belongs to (the job itself when it was not retried).
    public func newest(of jobID: String) -> Entry? { chain(of: jobID).last }
}
