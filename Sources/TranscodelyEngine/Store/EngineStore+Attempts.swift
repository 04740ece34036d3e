import Foundation
import GRDB
import Timekeeping
import TranscodelyAPI

extension EngineStore {
    /// How long the attempts of ended jobs are kept (`JobService/GetLog`), counted from their end.
    static let attemptRetention: Duration = .seconds(30 * 86_400)

    /// Takes the next pending job (highest priority, then oldest), marks it probing and records
    /// the attempt it starts, in one transaction. The lease names the job and the attempt: one
    /// engine per store needs no token to fence its own workers.
    public func claimNext(tool: String) async throws -> Claim? {
        let claimed = try await write { db -> (job: Job, orgID: String, attempt: Int)? in
            guard let id = try String.fetchOne(db.cachedStatement(sql: """
                SELECT id FROM jobs WHERE status = 'pending' ORDER BY priority DESC, seq LIMIT 1
                """)) else { return nil }
            guard let change = try self.apply(.probing, to: id, orgID: nil, in: db) else { return nil }
            let number = (try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(number) FROM job_attempts WHERE job_id = ?"),
                                           arguments: [id]) ?? 0) + 1
            try db.cachedStatement(sql: """
                INSERT INTO job_attempts (job_id, number, started_at, tool) VALUES (?, ?, ?, ?)
                """).execute(arguments: [id, number, change.job.updatedAt.microseconds, tool])
            return (change.job, change.orgID, number)
        }
        ringIfQueued()
        guard let claimed else { return nil }
        return Claim(job: remember((claimed.job, claimed.orgID)), lease: Lease(jobID: claimed.job.id, attempt: claimed.attempt))
    }

    /// A worker's transition under its lease; returns the job as it now is, or nil when the
    /// transition did not apply.
    @discardableResult
    public func apply(_ transition: JobTransition, under lease: Lease) async throws -> Job? {
        try await apply(transition, to: lease.jobID)
    }

    /// Applies a transition and records how the attempt ended, in one transaction; returns the
    /// job as it now is, or nil when the transition did not apply (the attempt is recorded anyway).
    @discardableResult
    public func apply(_ transition: JobTransition, under lease: Lease, ending attempt: AttemptEnd) async throws -> Job? {
        let changed = try await write { db in
            let change = try self.apply(transition, to: lease.jobID, orgID: nil, in: db)
            try self.record(attempt, under: lease, in: db)
            return change
        }
        ringIfQueued()
        return changed.map(remember)
    }

    /// Completes the job under `lease` and publishes its outputs inside the write transaction
    /// (GRDB's single writer holds the job: no cancel can commit between the check and `publish`);
    /// nil, with nothing written and nothing published, when the completion does not apply. A
    /// `publish` that throws rolls everything back, and its error comes out as it is.
    @discardableResult
    public func complete(_ results: [OutputResult], under lease: Lease, ending attempt: AttemptEnd,
                         publish: @escaping @Sendable () throws -> Void) async throws -> Job? {
        let changed = try await write { db -> (job: Job, orgID: String)? in
            guard let change = try self.apply(.completed(results), to: lease.jobID, orgID: nil, in: db) else { return nil }
            try self.record(attempt, under: lease, in: db)
            // Last: after it, only the commit can fail.
            try publish()
            return change
        }
        ringIfQueued()
        return changed.map(remember)
    }

    /// Records how an attempt ended, when no transition goes with it (a cancel the API already recorded).
    public func record(_ attempt: AttemptEnd, under lease: Lease) async throws {
        try await write { db in try self.record(attempt, under: lease, in: db) }
    }

    private func record(_ attempt: AttemptEnd, under lease: Lease, in db: Database) throws {
        // A completed attempt keeps its command, not its lines: logs are for what went wrong.
        let lines = attempt.outcome == "completed" ? [] : attempt.log.lines
        try db.cachedStatement(sql: """
            UPDATE job_attempts SET ended_at = ?, outcome = ?, tool = ?, command = ?, lines = ?, truncated = ?
            WHERE job_id = ? AND number = ?
            """).execute(arguments: [
                clock.timestamp.microseconds, attempt.outcome, attempt.log.tool, JobRow.jsonArray(attempt.log.command),
                JobRow.jsonArray(lines), attempt.outcome != "completed" && attempt.log.truncated, lease.jobID, lease.attempt,
            ])
    }

    /// Marks attempts left running by an engine that stopped (or crashed) as interrupted.
    func interruptRunningAttempts(in db: Database) throws {
        try db.execute(sql: "UPDATE job_attempts SET outcome = 'interrupted', ended_at = ? WHERE outcome = 'running'",
                       arguments: [clock.timestamp.microseconds])
    }

    /// The attempts at a job of `orgID`, oldest first; nil when the organization has no such job.
    public func log(jobID: String, orgID: String) async throws -> JobLog? {
        try await read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE id = ? AND org_id = ?", arguments: [jobID, orgID]) != nil else {
                return nil
            }
            let decoder = JSONDecoder()
            let rows = try Row.fetchAll(db, sql: """
                SELECT number, started_at, ended_at, outcome, tool, command, lines, truncated
                FROM job_attempts WHERE job_id = ? ORDER BY number
                """, arguments: [jobID])
            let attempts = try rows.map { row in
                JobLog.Attempt(
                    number: row[0], startedAt: Timestamp(microseconds: row[1]),
                    endedAt: (row[2] as Int64?).map(Timestamp.init(microseconds:)), outcome: row[3],
                    command: try decoder.decode([String].self, from: Data((row[5] as String).utf8)),
                    tool: row[4], lines: try decoder.decode([String].self, from: Data((row[6] as String).utf8)),
                    truncated: row[7])
            }
            return JobLog(jobID: jobID, attempts: attempts)
        }
    }

    /// Deletes the attempts that ended more than `attemptRetention` ago; returns how many.
    @discardableResult
    public func pruneAttempts() async throws -> Int {
        let cutoff = clock.timestamp.microseconds - Self.attemptRetention.microseconds
        return try await write { db in
            try db.execute(sql: "DELETE FROM job_attempts WHERE ended_at IS NOT NULL AND ended_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

}

extension EngineStore {
    /// One engine per SQLite store: no leases to renew, no other node to hear.
    public func maintain(for signals: StoreSignals) async {}
}
