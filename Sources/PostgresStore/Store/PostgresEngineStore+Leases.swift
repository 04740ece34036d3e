import Foundation
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore {
    /// Takes the next pending job (highest priority, then oldest) with `FOR UPDATE SKIP LOCKED` —
    /// claims on other nodes skip the row this one holds instead of waiting for it — and gives it a
    /// lease: a fresh token, this node's name and an expiry of `settings.lease` in the database's
    /// clock, with the attempt recorded, in one transaction.
    public func claimNext(tool: String) async throws -> Claim? {
        let lease = settings.lease.microseconds
        let claim = try await transaction { connection -> Claim? in
            let rows = try await connection.query("""
                SELECT \(unescaped: JobRow.columns), org_id, attempt FROM jobs WHERE status = 'pending'
                ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: self.logger).collect()
            guard let row = rows.first else { return nil }
            let current = try PostgresJobRow.job(row)
            let orgID = try PostgresJobRow.extra(row, 0, as: String.self)
            let number = try PostgresJobRow.extra(row, 1, as: Int.self) + 1
            let stamp = try await self.takeStamps(1, on: connection)
            guard let next = JobTransition.probing.apply(to: current, at: Timestamp(microseconds: stamp)) else { return nil }
            let token = UUID()
            try await connection.query("""
                UPDATE jobs SET status = 'probing', updated_at = \(stamp), started_at = \(stamp), attempt = \(number),
                    lease_token = \(token), lease_node = \(self.node),
                    lease_expires_at = now() + make_interval(secs => \(Double(lease) / 1_000_000))
                WHERE id = \(current.id)
                """, logger: self.logger)
            try await connection.query("""
                INSERT INTO job_attempts (job_id, number, node, lease_token, started_at, tool)
                VALUES (\(current.id), \(number), \(self.node), \(token), \(stamp), \(tool))
                """, logger: self.logger)
            try await self.enqueueEvents(from: current, to: next, orgID: orgID, on: connection)
            return Claim(job: next, lease: Lease(jobID: current.id, attempt: number, token: token.uuidString))
        }
        if let claim { held.withLock { $0[claim.job.id] = claim.lease } }
        return claim
    }

    /// A worker's transition, written only while `lease` is still the job's (the row is locked by
    /// id and token); nil otherwise, writing nothing.
    public func apply(_ transition: JobTransition, under lease: Lease) async throws -> Job? {
        try await transaction { connection in
            guard let locked = try await self.lockJob(id: lease.jobID, orgID: nil, token: lease.token, on: connection) else { return nil }
            return try await self.write(transition, to: locked, on: connection)
        }
    }

    /// A worker's last transition, fenced like `apply(_:under:)`, and how its attempt ended, in
    /// one transaction. The attempt is recorded by its own token whether the transition applied
    /// or not (a cancel that came first), but never over an attempt a rescue ended.
    public func apply(_ transition: JobTransition, under lease: Lease, ending attempt: AttemptEnd) async throws -> Job? {
        defer { release(lease) }
        return try await transaction { connection in
            var next: Job?
            if let locked = try await self.lockJob(id: lease.jobID, orgID: nil, token: lease.token, on: connection) {
                next = try await self.write(transition, to: locked, on: connection)
            }
            try await self.record(attempt, under: lease, on: connection)
            return next
        }
    }

    /// A worker's completion, fenced and published as one step: the job's row locked by id and
    /// lease token (`FOR UPDATE`), the transition and its events written, the attempt recorded,
    /// then `publish` (the rename of the attempt's staged outputs), then the commit. A rescue, a
    /// cancel or another node's completion waits on the row lock meanwhile, so only the attempt
    /// whose completion is the job's publishes. Nothing is written, and `publish` is not called,
    /// when the lease is no longer the job's or the job ended; a `publish` that throws rolls the
    /// transaction back and its error comes out unchanged.
    public func complete(_ results: [OutputResult], under lease: Lease, ending attempt: AttemptEnd,
                         publish: @escaping @Sendable () throws -> Void) async throws -> Job? {
        defer { release(lease) }
        do {
            return try await transaction { connection in
                guard let locked = try await self.lockJob(id: lease.jobID, orgID: nil, token: lease.token, on: connection),
                      JobTransition.completed(results).apply(to: locked.job, at: locked.job.updatedAt) != nil else { return nil }
                guard let next = try await self.write(.completed(results), to: locked, on: connection) else { return nil }
                try await self.record(attempt, under: lease, on: connection)
                do { try publish() } catch { throw PublishFailure(error: error) }
                return next
            }
        } catch let failure as PublishFailure {
            throw failure.error
        }
    }

    /// Records how an attempt ended, when no transition goes with it.
    public func record(_ attempt: AttemptEnd, under lease: Lease) async throws {
        defer { release(lease) }
        try await transaction { connection in try await self.record(attempt, under: lease, on: connection) }
    }

    /// The attempt's row, written only while it is still `running` under this token — or, for a
    /// cancel, once the cancel's transaction has ended it, to add what the tools said.
    private func record(_ attempt: AttemptEnd, under lease: Lease, on connection: PostgresConnection) async throws {
        guard let token = UUID(uuidString: lease.token) else { return }
        let lines = attempt.outcome == "completed" ? [] : attempt.log.lines
        try await connection.query("""
            UPDATE job_attempts SET ended_at = COALESCE(ended_at, \(clock.timestamp.microseconds)), outcome = \(attempt.outcome),
                tool = \(attempt.log.tool), command = \(JobRow.jsonArray(attempt.log.command)), lines = \(JobRow.jsonArray(lines)),
                truncated = \(attempt.outcome != "completed" && attempt.log.truncated)
            WHERE job_id = \(lease.jobID) AND number = \(lease.attempt) AND lease_token = \(token)
                AND (outcome = 'running' OR (outcome = 'canceled' AND \(attempt.outcome) = 'canceled'))
            """, logger: logger)
    }

    /// Ends the running attempt of a job as `outcome` (a requeue or a rescue).
    func endRunningAttempt(of jobID: String, as outcome: String, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE job_attempts SET outcome = \(outcome), ended_at = \(clock.timestamp.microseconds)
            WHERE job_id = \(jobID) AND outcome = 'running'
            """, logger: logger)
    }

    /// Stops renewing a lease whose attempt has ended.
    private func release(_ lease: Lease) {
        held.withLock { held in
            if held[lease.jobID] == lease { held[lease.jobID] = nil }
        }
    }

    /// The publish step's own error, carried through the transaction unchanged.
    struct PublishFailure: Error {
        var error: any Error
    }
}
