/// A worker's hold on the job it claimed, given back to the store with every write of the attempt
/// (`JobStore.apply(_:under:)`, `apply(_:under:ending:)`, `complete(_:under:ending:publish:)`,
/// `record(_:under:)`), so that a store can refuse the writes of a holder that lost the job
/// (fencing); the attempt's staging folder is named after it too (`OutputStaging`).
///
/// The SQLite store needs no fence (one engine per data directory, under its lock): its token is
/// empty and a lease names the job and the attempt. The PostgreSQL store, shared by several
/// engines, puts a random token here (and an expiry in its database, renewed by the node's
/// heartbeat) and writes nothing for a stale one.
public struct Lease: Sendable, Hashable {
    /// The job held.
    public var jobID: String
    /// From 1: the attempt this hold runs (one more than the attempts recorded before it).
    public var attempt: Int
    /// Opaque to everyone but the store that issued it; empty where the store needs no fence.
    public var token: String

    public init(jobID: String, attempt: Int, token: String = "") {
        self.jobID = jobID
        self.attempt = attempt
        self.token = token
    }
}
