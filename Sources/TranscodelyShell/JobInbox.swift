import Timekeeping
import TranscodelyAPI

/// Jobs pushed by a webhook listener, collected for one `watch`: the watch takes what arrived,
/// or waits for the next arrival no longer than a timeout (after which it polls to fill gaps).
actor JobInbox {
    private let clock: TimeSource
    private var pending: [Job] = []
    private var waiter: CheckedContinuation<Void, Never>?
    /// Numbers each wait, so that a timer only ever ends the wait it was set for.
    private var generation = 0
    private var forwarding: Task<Void, Never>?

    /// An empty inbox whose waits run on `clock`.
    init(clock: TimeSource) { self.clock = clock }

    /// Collects from `stream` until `stop()`.
    func start(_ stream: AsyncStream<Job>) {
        forwarding = Task { [weak self] in
            for await job in stream { await self?.put(job) }
        }
    }

    func stop() {
        forwarding?.cancel()
        wakeWaiter()
    }

    private func put(_ job: Job) {
        pending.append(job)
        wakeWaiter()
    }

    private func wakeWaiter() {
        waiter?.resume()
        waiter = nil
    }

    private func timeUp(_ wait: Int) {
        if wait == generation { wakeWaiter() }
    }

    /// What arrived since the last call; when nothing has, waits up to `timeout` for something.
    /// Empty means the time passed in silence.
    func take(waiting timeout: Duration) async -> [Job] {
        if pending.isEmpty {
            generation += 1
            let wait = generation
            let clock = clock
            let timer = Task { [weak self] in
                // A timer cancelled because something arrived must not wake the next wait.
                do { try await clock.sleep(for: timeout) } catch { return }
                await self?.timeUp(wait)
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { waiter = $0 }
            } onCancel: {
                Task { await self.wakeWaiter() }
            }
            timer.cancel()
        }
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }
}
