/// How an attempt ended, and what its log holds then. Which attempt it is comes with the lease it
/// is recorded under.
public struct AttemptEnd: Sendable {
    /// `completed`, `failed`, `canceled` or `interrupted`.
    public var outcome: String
    /// What the tools said during the attempt.
    public var log: AttemptLog.Snapshot

    public init(outcome: String, log: AttemptLog.Snapshot) {
        self.outcome = outcome
        self.log = log
    }
}
