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
    /// Why a running encode was interrupted, by job, for its attempt's log.
    private let interruptions = Mutex<[String: String]>([:])

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
            // and once an hour, prune attempt logs past their retention and sweep the output
            // origins for staging that engines which died left (on a shared origin another node's,
            // found only after it died; the sweep never touches a live attempt's).
            group.addTask {
                var ticks = 0
                while !self.isStopping, !Task.isCancelled {
                    try? await self.store.clock.sleep(for: .seconds(1))
                    self.wakeAll()
                    ticks += 1
                    if ticks % 3600 == 0 {
                        _ = try? await self.store.pruneAttempts()
                        await self.encoder.recover(outputRoots: self.origins.all.map(\.root))
                    }
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
    func interrupt(jobID: String, because reason: String = "the job was cancelled") {
        guard let task = running.withLock({ $0[jobID] }) else { return }
        interruptions.withLock { $0[jobID] = reason }
        task.cancel()
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
                interruptions.withLock { $0[claim.job.id] = nil }
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
            // The attempt's own staging folder; closed (removed unless published, its lock
            // released) when this scope ends, before the attempt's end is recorded.
            let staging: OutputStaging
            do { staging = try OutputStaging(root: output.root, lease: lease) } catch {
                log.append("engine: cannot stage the outputs in \(output.root.path)/\(OutputStaging.folderName): \(error)")
                throw JobFailure(.outputWriteFailed, "cannot write to output origin \(job.outputOriginID): \(error)", phase: .write)
            }
            defer { staging.close() }
            let work = EncodeWork(job: processing, input: input, info: info, staging: staging.folder, attempt: lease.attempt, log: log)
            log.show(staging.folder.path, as: work.jobFolder)
            let throttle = ProgressThrottle()
            let results = try await encoder.encode(work) { [store] value in
                guard throttle.shouldWrite(value) else { return }
                _ = try? await store.apply(.progress(value), under: lease)
            }
            // Published by the store while it holds the job, only if the completion is this lease's.
            let completed = try await store.complete(results, under: lease, ending: end("completed")) { [log] in
                do { try staging.publish() } catch {
                    log.append("engine: cannot move the staged outputs (\(OutputStaging.folderName)/\(staging.name)) into \(work.jobFolder): \(error)")
                    throw JobFailure(.outputWriteFailed, "cannot move the outputs into \(work.jobFolder): \(error)", phase: .write)
                }
            }
            if completed == nil {
                // Cancelled at the last moment (or the lease was lost): nothing was published, and
                // the staging goes before the attempt is recorded.
                staging.close()
                await note(end("canceled"), lease)
            }
        } catch let failure as JobFailure {
            // A stop (Ctrl-C reaches ffmpeg too) is not the job's failure: it is requeued.
            if isStopping { return await note(end("interrupted"), lease) }
            await record(.failed(failure.jobError(attempt: claim.attempt), input: failure.input), lease, ending: end("failed"))
        } catch is CancellationError {
            // Cancelled by the user (the store already says so), by the loss of the lease, or by
            // shutdown (requeued later).
            let reason = interruptions.withLock { $0.removeValue(forKey: job.id) }
            log.append("engine: stopped: \(isStopping ? "the engine is stopping; the job will run again" : reason ?? "the job was cancelled")")
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
