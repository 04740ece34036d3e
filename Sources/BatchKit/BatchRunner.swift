import Synchronization
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
    }

    public let pacer: Pacer
    private let client: any JobServiceClient
    private let clock: PacerClock
    private let cancelled = Atomic<Bool>(false)

    public init(client: any JobServiceClient, pacer: Pacer, clock: PacerClock = .live()) {
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
        let start = clock.now()
        let state = RunState(count: items.count)
        await withDiscardingTaskGroup { group in
            for (position, item) in items.enumerated() {
                guard !cancelled.load(ordering: .relaxed), !Task.isCancelled else { break }
                do { try await pacer.acquire() } catch { break }
                group.addTask { [client, pacer] in
                    let outcome: ItemOutcome
                    do throws(ClientError) {
                        let result = try await client.create(item.request)
                        await pacer.release(result.info)
                        outcome = result.replayed ? .existed(result.job, attempts: result.attempts)
                                                  : .created(result.job, attempts: result.attempts)
                    } catch {
                        await pacer.release(nil)
                        outcome = .failed(code: error.code.rawValue, message: error.message, attempts: error.attempts)
                    }
                    await record(item, outcome)
                    let counts = state.record(outcome, at: position)
                    progress(counts)
                }
            }
        }
        var (outcomes, counts) = state.snapshot
        counts.notSent = outcomes.filter { $0 == .notSent }.count
        return Report(items: items, outcomes: outcomes, counts: counts, duration: clock.now() - start,
                      refusals: await pacer.refusals)
    }
}

/// The outcomes of one run, written by the tasks that send its creates.
private final class RunState: Sendable {
    private let state: Mutex<(outcomes: [ItemOutcome], counts: BatchCounts)>

    init(count: Int) { state = Mutex((Array(repeating: .notSent, count: count), BatchCounts())) }

    func record(_ outcome: ItemOutcome, at position: Int) -> BatchCounts {
        state.withLock { state in
            state.outcomes[position] = outcome
            state.counts.add(outcome)
            return state.counts
        }
    }

    var snapshot: ([ItemOutcome], BatchCounts) { state.withLock { ($0.outcomes, $0.counts) } }
}
