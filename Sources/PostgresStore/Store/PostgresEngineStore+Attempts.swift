import Foundation
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore {
    /// How long the attempts of ended jobs are kept, counted from their end (as the SQLite store).
    static let attemptRetention: Duration = .seconds(30 * 86_400)

    /// The attempts at a job of `orgID`, oldest first; nil when the organization has no such job.
    public func log(jobID: String, orgID: String) async throws -> JobLog? {
        try await transaction { connection in
            let owner = try await connection.query("SELECT 1 FROM jobs WHERE id = \(jobID) AND org_id = \(orgID)",
                                                   logger: self.logger).collect()
            guard !owner.isEmpty else { return nil }
            let rows = try await connection.query("""
                SELECT number, started_at, ended_at, outcome, tool, command, lines, truncated
                FROM job_attempts WHERE job_id = \(jobID) ORDER BY number
                """, logger: self.logger).collect()
            let decoder = JSONDecoder()
            let attempts = try rows.map { row in
                let (number, started, ended, outcome, tool, command, lines, truncated) =
                    try row.decode((Int, Int64, Int64?, String, String, String, String, Bool).self)
                return JobLog.Attempt(
                    number: number, startedAt: Timestamp(microseconds: started), endedAt: ended.map(Timestamp.init(microseconds:)),
                    outcome: outcome, command: try decoder.decode([String].self, from: Data(command.utf8)), tool: tool,
                    lines: try decoder.decode([String].self, from: Data(lines.utf8)), truncated: truncated)
            }
            return JobLog(jobID: jobID, attempts: attempts)
        }
    }

    /// Deletes the attempts that ended more than `attemptRetention` ago; returns how many.
    public func pruneAttempts() async throws -> Int {
        let cutoff = clock.timestamp.microseconds - Self.attemptRetention.microseconds
        let rows = try await query("DELETE FROM job_attempts WHERE ended_at IS NOT NULL AND ended_at < \(cutoff) RETURNING 1")
        return rows.count
    }
}
