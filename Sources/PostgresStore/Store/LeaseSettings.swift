/// The timings of a store shared by several engines, every one a setting of `tcly serve`
/// (docs/scale-out.md, "Settings"). The defaults are for ffmpeg jobs that run minutes: a node
/// must miss five heartbeats in a row (25 s) before its jobs go elsewhere, and a rescued job
/// runs at most three times before it fails.
public struct LeaseSettings: Sendable, Hashable {
    /// How long a claim holds a job without a renewal, in the database's clock (`--lease`).
    public var lease: Duration = .seconds(30)
    /// How often a node renews its leases and looks for expired ones (`--heartbeat`); at most a
    /// third of `lease`, so that one lost round trip does not lose a lease.
    public var heartbeat: Duration = .seconds(5)
    /// Claims of one job at most (`--max-attempts`): a job whose lease expires on its last one
    /// fails with category `engine` instead of running again.
    public var maxAttempts = 3
    /// How long a webhook delivery claimed by a node is its own (a node that dies holding it
    /// gives it up after this); longer than a delivery attempt can take.
    public var deliveryClaim: Duration = .seconds(60)

    public init() {}

    /// Why these settings cannot work, or nil.
    public var problem: String? {
        if lease < .seconds(1) { return "--lease must be at least 1 second" }
        if heartbeat <= .zero { return "--heartbeat must be more than 0 seconds" }
        if heartbeat * 3 > lease { return "--heartbeat must be at most a third of --lease (a lost renewal must not lose a lease)" }
        if !(1...100).contains(maxAttempts) { return "--max-attempts must be 1...100" }
        return nil
    }
}
