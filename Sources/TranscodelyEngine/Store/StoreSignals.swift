/// What a store shared by several engines tells the engine it serves while it runs
/// (`JobStore.maintain(for:)`): work another node queued, and leases this node lost.
public struct StoreSignals: Sendable {
    /// Jobs were queued (by another node, or requeued by a rescue): wake an idle worker.
    public var workQueued: @Sendable () -> Void
    /// This node no longer holds the lease of a job it runs — cancelled through another node,
    /// rescued after its lease expired, or not renewable for want of the database: stop its encode
    /// now. Its writes are refused by the store anyway; this only stops the wasted work.
    public var leaseLost: @Sendable (_ jobID: String) -> Void

    public init(workQueued: @escaping @Sendable () -> Void, leaseLost: @escaping @Sendable (_ jobID: String) -> Void) {
        self.workQueued = workQueued
        self.leaseLost = leaseLost
    }
}
