import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// Creates many jobs in parallel, paced under the rate limit, each with its idempotency key, and
/// reports what became of every item. Cancelling (`cancel()` or the calling task) stops launching;
/// requests already sent finish and are counted, the rest are `notSent`.
public final class BatchRunner: Sendable {
    /// A batch's result: every item's outcome, in item order.
    public struct Report: Sendable {
        public var items: [BatchItem]
        public var outcomes: [ItemOutcome]
        public var counts: BatchCounts
        /// Wall time from first launch to last answer.
        public var duration: Duration
        /// 429s the pacer saw (each was retried).
        public var refusals: Int
        /// Why it stopped launching before the end (the API stopped answering), if it did.
        public var stopReason: String?
    }

    /// After this many creates in a row fail without reaching the server (each after its own
    /// retries), the API is taken for unreachable: no more are launched, the rest are `notSent`,
    /// and the report says why — rather than spending every item's retries against a dead host.
    public let unreachableAfter: Int

    public let pacer: Pacer
    private let client: any JobServiceClient
    private let clock: TimeSource
    private let cancelled = Atomic<Bool>(false)

    public init(client: any JobServiceClient, pacer: Pacer, clock: TimeSource = .system, unreachableAfter: Int = 32) {
        self.unreachableAfter = unreachableAfter
        self.client = client
        self.pacer = pacer
        self.clock = clock
    }

    /// Stops launching new creates; those in flight finish.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Runs the batch. `record` is awaited with each item's outcome as soon as it is known (a
    /// host journals it there, so a crash loses no created id); `progress` is called after every
    /// answered item with the counts so far.
    public func run(_ items: [BatchItem], record: @escaping @Sendable (BatchItem, ItemOutcome) async -> Void = { _, _ in },
                    progress: @escaping @Sendable (BatchCounts) -> Void = { _ in }) async -> Report {
        let start = clock.now
        let state = RunState(count: items.count)
        let unreachableAfter = unreachableAfter
        await withDiscardingTaskGroup { group in
            for (position, item) in items.enumerated() {
                guard !cancelled.load(ordering: .relaxed), !Task.isCancelled else { break }
                let ticket: Pacer.Ticket
                do { ticket = try await pacer.acquire() } catch { break }
                group.addTask { [client, pacer] in
                    let outcome: ItemOutcome
                    var unreached: String?
                    do throws(ClientError) {
                        let result = try await client.create(item.request)
                        await pacer.release(result.info, ticket: ticket)
                        outcome = result.replayed ? .existed(result.job, attempts: result.attempts)
                                                  : .created(result.job, attempts: result.attempts)
                    } catch {
                        await pacer.release(nil, ticket: ticket)
                        outcome = .failed(code: error.code.rawValue, message: error.message, attempts: error.attempts)
                        // Only failures that show the server was never reached (refused, not
                        // resolved, no connection, TLS refused): a timeout or a cut answer may
                        // come after the create was done.
                        if error.neverReachedServer { unreached = error.message }
                    }
                    await record(item, outcome)
                    let counts = state.record(outcome, at: position)
                    if state.noteReach(unreached, limit: unreachableAfter) { self.cancel() }
                    progress(counts)
                }
            }
        }
        var (outcomes, counts) = state.snapshot
        counts.notSent = outcomes.filter { $0 == .notSent }.count
        return Report(items: items, outcomes: outcomes, counts: counts, duration: clock.now - start,
                      refusals: await pacer.refusals, stopReason: state.stopReason)
    }
}

/// The outcomes of one run, written by the tasks that send its creates.
private final class RunState: Sendable {
    private let state: Mutex<(outcomes: [ItemOutcome], counts: BatchCounts)>
    /// Creates in a row that never reached the server, and why the run stopped.
    private let reach = Mutex<(unreached: Int, reason: String?)>((0, nil))

    init(count: Int) { state = Mutex((Array(repeating: .notSent, count: count), BatchCounts())) }

    /// Counts creates that failed in transport; true once `limit` of them came in a row (the
    /// first time only).
    func noteReach(_ transportFailure: String?, limit: Int) -> Bool {
        reach.withLock { reach in
            guard let message = transportFailure else {
                reach.unreached = 0
                return false
            }
            reach.unreached += 1
            guard reach.unreached >= limit, reach.reason == nil else { return false }
            reach.reason = "\(limit) creates in a row could not reach the API (\(message))"
            return true
        }
    }

    var stopReason: String? { reach.withLock { $0.reason } }

    func record(_ outcome: ItemOutcome, at position: Int) -> BatchCounts {
        state.withLock { state in
            state.outcomes[position] = outcome
            state.counts.add(outcome)
            return state.counts
        }
    }

    var snapshot: ([ItemOutcome], BatchCounts) { state.withLock { ($0.outcomes, $0.counts) } }
}
