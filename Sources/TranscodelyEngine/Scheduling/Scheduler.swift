import Foundation
import Logging
import Synchronization
import Timekeeping
import TranscodelyAPI

/// Runs jobs: N workers take the next pending job (highest priority first, then oldest), probe and
/// encode it, and record every step through the store's transitions.
///
/// Workers sleep when the queue is empty and are woken one at a time by `signal()`, so a burst of
/// creates costs no storm of queue queries.
final class Scheduler: Sendable {
    private struct Idle {
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// A signal came while no worker was idle: the next worker to look finds work.
        var pendingSignal = false
        var stopping = false
    }

    private let store: any JobStore
    private let encoder: any MediaEncoder
    private let origins: Origins
    private let workers: Int
    private let logger: Logger
    private let idle = Mutex(Idle())
    private let running = Mutex<[String: Task<Void, Never>]>([:])

    init(store: any JobStore, encoder: any MediaEncoder, origins: Origins, workers: Int, logger: Logger) {
        self.store = store
        self.encoder = encoder
        self.origins = origins
        self.workers = workers
        self.logger = logger
    }

    /// Runs the workers until `stop()` or cancellation.
    func run() async {
        await withTaskCancellationHandler {
            await runWorkers()
        } onCancel: {
            stop()
        }
    }

    private func runWorkers() async {
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    await self.work()
                    return true
                }
            }
            // A safety net: wake idle workers every second in case work arrived by another path;
            // and once an hour, prune attempt logs past their retention.
            group.addTask {
                var ticks = 0
                while !self.isStopping, !Task.isCancelled {
                    try? await self.store.clock.sleep(for: .seconds(1))
                    self.wakeAll()
                    ticks += 1
                    if ticks % 3600 == 0 { _ = try? await self.store.pruneAttempts() }
                }
                return false
            }
            // When the last worker has stopped, the ticker stops too, without waiting out its sleep.
            var running = workers
            for await isWorker in group where isWorker {
                running -= 1
                if running == 0 { group.cancelAll() }
            }
        }
    }

    /// Stops taking jobs, interrupts running encodes (they will be requeued) and wakes every worker.
    func stop() {
        idle.withLock { $0.stopping = true }
        wakeAll()
        for task in running.withLock({ Array($0.values) }) { task.cancel() }
    }

    /// New work is queued: wake one idle worker.
    func signal() {
        let waiter = idle.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.pendingSignal = true
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    /// Interrupts the encode of a job the user cancelled.
    func interrupt(jobID: String) {
        running.withLock { $0[jobID] }?.cancel()
    }

    private var isStopping: Bool { idle.withLock { $0.stopping } }

    private func wakeAll() {
        let waiters = idle.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func work() async {
        while !isStopping {
            let claim: Claim?
            do {
                claim = try await store.claimNext(tool: encoder.tool)
            } catch is CancellationError {
                // Stopping (the server could not start, or is shutting down): not an error.
                return
            } catch {
                logger.error("could not take a job from the queue: \(error)")
                try? await self.store.clock.sleep(for: .seconds(1))
                continue
            }
            if let claim {
                let task = Task { await self.execute(claim) }
                running.withLock { $0[claim.job.id] = task }
                await task.value
                running.withLock { $0[claim.job.id] = nil }
                continue
            }
            await withCheckedContinuation { continuation in
                let resumeNow = idle.withLock { state -> Bool in
                    if state.pendingSignal || state.stopping {
                        state.pendingSignal = false
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Probes and encodes one job that is now `probing`, keeping what the tools said in the
    /// attempt's log and recording how the attempt ended with the job's last transition.
    private func execute(_ claim: Claim) async {
        let job = claim.job
        let log = AttemptLog(tool: encoder.tool)
        var phase = FailurePhase.probe
        let lease = claim.lease
        func end(_ outcome: String) -> AttemptEnd { AttemptEnd(outcome: outcome, log: log.snapshot) }
        do {
            guard let origin = origins.origin(job.inputOriginID) else {
                log.append("engine: input origin \(job.inputOriginID) is not configured on this engine")
                throw JobFailure(.inputNotFound, "input origin \(job.inputOriginID) no longer exists on this engine", phase: .probe)
            }
            guard let output = origins.origin(job.outputOriginID) else {
                log.append("engine: output origin \(job.outputOriginID) is not configured on this engine")
                throw JobFailure(.outputWriteFailed, "output origin \(job.outputOriginID) no longer exists on this engine", phase: .write)
            }
            // What users see of paths is relative to their origin, as they named them.
            log.show(origin.root.path + "/", as: "")
            log.show(output.root.path + "/", as: "")
            let input: URL
            do { input = try origins.resolve(job.inputPath, in: origin) } catch {
                log.append("engine: \(error.message)")
                throw JobFailure(.inputUnreadable, error.message, phase: .probe)
            }
            log.show(input.path, as: job.inputPath)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                log.append("engine: \(job.inputPath) does not exist in origin \(job.inputOriginID); no tool was run")
                throw JobFailure(.inputNotFound, "\(job.inputPath) does not exist in origin \(job.inputOriginID)", phase: .probe)
            }
            let info = try await encoder.probe(input, job: job, log: log)
            guard let processing = try await store.apply(.probed(info), under: lease) else {
                try? await store.record(end("canceled"), under: lease)
                return
            }
            phase = .encode
            let throttle = ProgressThrottle()
            let results = try await encoder.encode(
                EncodeWork(job: processing, input: input, info: info, outputRoot: output.root, log: log)
            ) { [store] value in
                guard throttle.shouldWrite(value) else { return }
                _ = try? await store.apply(.progress(value), under: lease)
            }
            if try await store.apply(.completed(results), under: lease, ending: end("completed")) == nil {
                // Cancelled at the last moment: the outputs must not stay.
                try? FileManager.default.removeItem(at: output.root.appendingPathComponent("jobs/\(job.id)"))
            }
        } catch let failure as JobFailure {
            // A stop (Ctrl-C reaches ffmpeg too) is not the job's failure: it is requeued.
            if isStopping { return await note(end("interrupted"), lease) }
            await record(.failed(failure.jobError(attempt: claim.attempt), input: failure.input), lease, ending: end("failed"))
        } catch is CancellationError {
            // Cancelled by the user (the store already says so) or by shutdown (requeued later).
            await note(end(isStopping ? "interrupted" : "canceled"), lease)
        } catch {
            if Task.isCancelled || isStopping { return await note(end("interrupted"), lease) }
            logger.error("job \(job.id) failed inside the engine: \(error)")
            log.append("engine: \(error)")
            let failure = JobError(code: .internal, message: "the engine failed while running this job; see the engine log",
                                   category: .internal, retryable: true, phase: phase, attempt: claim.attempt)
            await record(.failed(failure), lease, ending: end("failed"))
        }
    }

    private func record(_ transition: JobTransition, _ lease: Lease, ending attempt: AttemptEnd) async {
        do { _ = try await store.apply(transition, under: lease, ending: attempt) } catch {
            logger.error("could not record the end of job \(lease.jobID): \(error)")
        }
    }

    /// Records how an attempt ended without a transition. Runs outside the cancelled task (a
    /// cancel or a stop is what ended it), so the write itself is not cancelled.
    private func note(_ attempt: AttemptEnd, _ lease: Lease) async {
        let store = store
        do { try await Task { try await store.record(attempt, under: lease) }.value } catch {
            logger.error("could not record the end of attempt \(lease.attempt) of job \(lease.jobID): \(error)")
        }
    }
}
