import Foundation
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore {
    /// Runs, until cancelled, what keeps several nodes honest with each other:
    /// - every `settings.heartbeat`, renews this node's leases in one statement; a lease missing
    ///   from the answer is lost (cancelled, or rescued after this node stalled) and its encode is
    ///   stopped; a renewal unanswered for `lease − heartbeat` has failed; when renewals fail for a
    ///   whole `settings.lease` (the database unreachable), every
    ///   lease is given up and every encode stopped, since another node may be running them by now;
    /// - on the same beat, rescues jobs whose lease expired (`rescueExpired`);
    /// - listens on the channel: `queued` wakes a worker, `outbox` the webhook dispatcher, and
    ///   `cancel <id>` stops the encode of a job this node runs. A lost notification costs latency
    ///   only: the scheduler's and the dispatcher's polls still find the work.
    public func maintain(for signals: StoreSignals) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen(signals) }
            group.addTask { await self.beat(signals) }
            await group.next()
            group.cancelAll()
        }
    }

    private func beat(_ signals: StoreSignals) async {
        // How long a renewal may take: past it, the lease could no longer be saved by it anyway.
        let patience = settings.lease - settings.heartbeat
        var lastRenewal = clock.timestamp.microseconds
        while !Task.isCancelled {
            do { try await clock.sleep(for: settings.heartbeat) } catch { return }
            do {
                try await within(patience) { try await self.renew(signals) }
                lastRenewal = clock.timestamp.microseconds
            } catch where Task.isCancelled {
                return
            } catch {
                logger.warning("could not renew this node's leases: \(error)")
                if clock.timestamp.microseconds - lastRenewal >= settings.lease.microseconds {
                    let lost = held.withLock { held in defer { held.removeAll() }; return Array(held.keys) }
                    if !lost.isEmpty { logger.error("leases not renewed for \(settings.lease): stopping \(lost.count) encode(s)") }
                    for id in lost { signals.leaseLost(id) }
                }
            }
            do {
                if try await within(patience, { try await self.rescueExpired() }) > 0 { signals.workQueued() }
            } catch where Task.isCancelled {
                return
            } catch {
                logger.warning("could not rescue expired leases: \(error)")
            }
        }
    }

    /// `body`'s answer, or a `StoreError` once `limit` has passed without one: a database that is
    /// gone does not fail a query, the pool waits for a connection, so a renewal must not wait for
    /// ever (the node would keep encoding jobs rescued elsewhere). `body` is cancelled then.
    private func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let clock = self.clock
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            answer.race(Task {
                do { answer.give(.success(try await body())) } catch { answer.give(.failure(error)) }
            })
            answer.race(Task {
                do { try await clock.sleep(for: limit) } catch { return }
                answer.give(.failure(StoreError.unavailable("no answer", detail: "no answer from the database within \(limit)")))
            })
        }
        return try result.get()
    }

    /// Pushes every lease this node holds `settings.lease` past now; stops the encodes of those
    /// the database no longer gives to this node.
    private func renew(_ signals: StoreSignals) async throws {
        let leases = held.withLock { Array($0.values) }
        guard !leases.isEmpty else { return }
        let tokens = leases.compactMap { UUID(uuidString: $0.token) }
        let seconds = Double(settings.lease.microseconds) / 1_000_000
        let rows = try await query("""
            UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(seconds))
            WHERE lease_token = ANY(\(tokens)) AND lease_node = \(node) RETURNING id
            """)
        let renewed = Set(try rows.map { try $0.decode(String.self) })
        let lost = held.withLock { held -> [String] in
            let lost = leases.map(\.jobID).filter { !renewed.contains($0) && held[$0] != nil }
            for id in lost { held[id] = nil }
            return lost
        }
        for id in lost {
            logger.notice("lost the lease of job \(id) (cancelled, or rescued by another node): stopping its encode")
            signals.leaseLost(id)
        }
    }

    /// Requeues (attempt + 1 at its next claim) or fails, after `settings.maxAttempts` claims,
    /// every job whose lease expired, a few at a time with `SKIP LOCKED` so that nodes rescuing at
    /// once share the work. The condition is checked again under the row lock: a lease renewed, or
    /// a job completed, a moment ago is left alone. Returns how many were rescued.
    public func rescueExpired() async throws -> Int {
        let maxAttempts = settings.maxAttempts
        return try await transaction { connection -> Int in
            let rows = try await connection.query("""
                SELECT id, lease_node FROM jobs WHERE lease_token IS NOT NULL AND lease_expires_at < now()
                ORDER BY lease_expires_at LIMIT 50 FOR UPDATE SKIP LOCKED
                """, logger: self.logger).collect()
            var rescued = 0, requeued = 0
            for row in rows {
                let (id, owner) = try row.decode((String, String).self)
                // Locked now; still expired? (FOR UPDATE re-reads a row changed meanwhile, but say it.)
                let still = try await connection.query("""
                    SELECT 1 FROM jobs WHERE id = \(id) AND lease_token IS NOT NULL AND lease_expires_at < now()
                    """, logger: self.logger).collect()
                guard !still.isEmpty,
                      let locked = try await self.lockJob(id: id, orgID: nil, token: nil, on: connection) else { continue }
                try await self.endRunningAttempt(of: id, as: "interrupted", on: connection)
                let transition: JobTransition
                let fails = locked.attempt >= maxAttempts
                if fails {
                    transition = .failed(JobError(
                        code: .internal,
                        message: "node \(owner) stopped renewing the lease of attempt \(locked.attempt) of at most \(maxAttempts) (it died, stalled or lost the database); retry the job",
                        category: .engine, retryable: true, phase: locked.job.status == .processing ? .encode : .probe,
                        attempt: locked.attempt))
                } else {
                    transition = .requeued
                    requeued += 1
                }
                if try await self.write(transition, to: locked, on: connection) != nil { rescued += 1 }
                self.logger.notice("rescued job \(id) from node \(owner) (attempt \(locked.attempt)): \(fails ? "failed" : "requeued")")
            }
            if requeued > 0 { try await self.notify("queued", on: connection) }
            return rescued
        }
    }

    /// Listens on the channel on a connection of its own, reconnecting after a second when it drops.
    private func listen(_ signals: StoreSignals) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications {
                            self.hear(notification.payload, signals)
                        }
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("lost the notification channel (polls go on): \(PostgresErrorText.of(error))")
            }
            do { try await clock.sleep(for: .seconds(1)) } catch { return }
        }
    }

    private func hear(_ payload: String, _ signals: StoreSignals) {
        if payload == "queued" {
            signals.workQueued()
        } else if payload == "outbox" {
            bell.withLock { $0 }?()
        } else if payload.hasPrefix("cancel ") {
            let id = String(payload.dropFirst("cancel ".count))
            // The cancel cleared the lease: it is no longer this node's to renew (nor to report again).
            if held.withLock({ $0.removeValue(forKey: id) }) != nil { signals.leaseLost(id) }
        }
    }
}

/// A continuation resumed by whichever of the tasks racing for it answers first (`within`); the
/// others are cancelled then: the work that lost, or the timer that is no longer needed.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let state: Mutex<(waiting: CheckedContinuation<Result<T, any Error>, Never>?, racing: [Task<Void, Never>])>

    init(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) { state = Mutex((continuation, [])) }

    /// Adds a task to the race (cancelled at once if the race is over).
    func race(_ task: Task<Void, Never>) {
        let over = state.withLock { state in
            if state.waiting == nil { return true }
            state.racing.append(task)
            return false
        }
        if over { task.cancel() }
    }

    /// Resumes with `result` if nobody has yet, and cancels the other tasks.
    func give(_ result: Result<T, any Error>) {
        let first = state.withLock { state -> (CheckedContinuation<Result<T, any Error>, Never>, [Task<Void, Never>])? in
            guard let continuation = state.waiting.take() else { return nil }
            defer { state.racing = [] }
            return (continuation, state.racing)
        }
        guard let (continuation, racing) = first else { return }
        continuation.resume(returning: result)
        for task in racing { task.cancel() }
    }
}
