import GRDB

extension Schema {
    /// Version 3: what the engine keeps about failures. `error_detail` holds the whole wire error
    /// (category, retryable, phase, position, attempt) next to the code and message columns of v1;
    /// `job_attempts` holds one row per run of the encoder on a job, with the tool's own bounded
    /// lines (JSON arrays) for `JobService/GetLog`.
    static func v3(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE jobs ADD COLUMN error_detail TEXT;
            CREATE TABLE job_attempts (
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                ended_at INTEGER,
                outcome TEXT NOT NULL DEFAULT 'running',
                tool TEXT NOT NULL,
                command TEXT NOT NULL DEFAULT '[]',
                lines TEXT NOT NULL DEFAULT '[]',
                truncated INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (job_id, number)
            );
            CREATE INDEX job_attempts_running ON job_attempts(outcome) WHERE outcome = 'running';
            CREATE INDEX job_attempts_ended ON job_attempts(ended_at);
            """)
    }
}
