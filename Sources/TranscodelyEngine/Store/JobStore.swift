import Foundation
import TranscodelyAPI

/// Where jobs and their attempts live: what the engine (creates, reads, cancels), the create
/// committer and the scheduler (claims, progress, completion) need of a store.
///
/// The contracts every store keeps (docs/ARCHITECTURE.md, "Stores"):
/// - every write that changes a job stamps it with a new `updated_at`, strictly increasing across
///   the store in commit order, so that `list(updated_since:)` misses no change;
/// - a transition and the webhook events it gives (`WebhookOutbox`) commit together or not at all;
/// - failures of the storage itself are thrown as `StoreError`; answers about the data as `ConnectError`.
public protocol JobStore: StoreClock {
    /// Inserts a group of creates, durably, in one transaction, one outcome per create in order.
    /// Idempotent: a create whose app already used its idempotency key inserts nothing and comes
    /// back `replayed` (same request hash) or `conflict` (different hash). Decided by the store's
    /// uniqueness constraint in the insert itself, never by a lookup before it, so concurrent
    /// creates under one key give one job.
    func insert(_ batch: [NewJob]) async throws -> [CreateOutcome]

    /// One job of an organization; nil when there is none (another organization's job included).
    func job(id: String, orgID: String) async throws -> Job?

    /// The job an app created under an idempotency key, with its request hash.
    func job(appID: String, key: String) async throws -> (job: Job, hash: Data)?

    /// A page of an organization's jobs in (`updated_at`, id) order, filtered as `query` says.
    func list(orgID: String, query: ListJobsRequest) async throws -> ListJobsResponse

    /// Applies a transition from outside a worker (a cancel), atomically with its events; `durable`
    /// when a client is answered about it. Returns the job as it now is, or nil when the
    /// transition did not apply (no such job in `orgID`, or not in the state it needs).
    func apply(_ transition: JobTransition, to id: String, orgID: String?, durable: Bool) async throws -> Job?

    /// Takes the next pending job (highest priority, then oldest), marks it `probing` and records
    /// the attempt it starts, in one transaction; no two claims ever get the same pending job.
    func claimNext(tool: String) async throws -> Claim?

    /// A worker's transition (probed, progress) under its lease; nil when it did not apply — the
    /// job ended meanwhile, or the lease is no longer the job's (nothing is written then).
    func apply(_ transition: JobTransition, under lease: Lease) async throws -> Job?

    /// A worker's last transition and how its attempt ended, in one transaction; nil when the
    /// transition did not apply. The attempt is recorded anyway while the lease holds.
    func apply(_ transition: JobTransition, under lease: Lease, ending attempt: AttemptEnd) async throws -> Job?

    /// A worker's completion, fenced and published as one step. In one transaction, while it holds
    /// the job against every other writer (the SQLite store: inside its write transaction; a shared
    /// store: after `SELECT … FOR UPDATE` of the job's row, comparing the lease token there), the
    /// store checks that `lease` is still the job's and that `.completed(results)` applies; then
    /// writes the transition, its webhook events and `attempt`; then calls `publish` (the engine
    /// renames the attempt's staged outputs into `jobs/JOB_ID`, `OutputStaging.publish`) and
    /// commits only after it returned. So outputs are published only by the attempt whose
    /// completion is the job's, and no rescue, cancel or other completion can come between the
    /// check and the publish.
    ///
    /// - Does not apply (the lease was lost, or the job ended meanwhile — cancelled): writes
    ///   nothing, not even `attempt`, never calls `publish`, and returns nil. The caller removes
    ///   its staging and records the attempt's end with `record(_:under:)`.
    /// - `publish` throws: rolls back (nothing is written) and rethrows that error unchanged; the
    ///   caller then fails the job (`output_write_failed`).
    /// - `publish` is the last thing before the commit, synchronous and quick (renames). It is
    ///   idempotent, so a store that retries its transaction may call it again. When the commit
    ///   itself fails after it, the outputs stay published for a job not completed; the next
    ///   attempt's publish replaces them.
    func complete(_ results: [OutputResult], under lease: Lease, ending attempt: AttemptEnd,
                  publish: @escaping @Sendable () throws -> Void) async throws -> Job?

    /// Records how an attempt ended when no transition goes with it (a cancel the API already
    /// recorded, a stop that will requeue the job).
    func record(_ attempt: AttemptEnd, under lease: Lease) async throws

    /// Puts every job that was running (probing or processing) in this store's engine when it
    /// stopped back in the queue, marking their attempts interrupted; returns how many.
    func requeueInterrupted() async throws -> Int

    /// How many jobs are in each status (for /metrics).
    func countsByStatus() async throws -> [JobStatus: Int]

    /// The attempts at a job of `orgID`, oldest first; nil when the organization has no such job.
    func log(jobID: String, orgID: String) async throws -> JobLog?

    /// Deletes the attempts of ended jobs past their retention; returns how many.
    func pruneAttempts() async throws -> Int

    /// Runs what the store does on its own while its engine runs, until cancelled: for a store
    /// shared by several engines, renewing this node's leases, rescuing jobs whose lease expired,
    /// and hearing other nodes' notifications, which it passes on through `signals`. A store of
    /// one engine has nothing to do and returns at once.
    func maintain(for signals: StoreSignals) async
}

extension JobStore {
    /// Takes the next pending job for an encoder that names no tool.
    public func claimNext() async throws -> Claim? { try await claimNext(tool: "") }
}
