import TranscodelyAPI

/// A job a worker took from the queue (now `probing`), and the lease its attempt runs under.
public struct Claim: Sendable {
    /// The job as the claim left it.
    public var job: Job
    /// What every write of this attempt gives back to the store.
    public var lease: Lease

    public init(job: Job, lease: Lease) {
        self.job = job
        self.lease = lease
    }

    /// From 1: the number of the attempt the claim starts.
    public var attempt: Int { lease.attempt }
}
