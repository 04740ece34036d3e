import GRDB

extension Schema {
    /// Version 2: webhook endpoints and the outbox. A delivery row is written in the same
    /// transaction as the job change that causes it, so no event is lost across a crash; each
    /// attempt is recorded.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                secret TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                disabled_at INTEGER,
                disabled_reason TEXT
            );
            CREATE INDEX webhooks_org ON webhooks(org_id);
            CREATE TABLE webhook_deliveries (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL,
                webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                job_id TEXT NOT NULL,
                body BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                state TEXT NOT NULL DEFAULT 'pending',
                UNIQUE (event_id, webhook_id)
            );
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
            CREATE TABLE webhook_attempts (
                delivery_seq INTEGER NOT NULL REFERENCES webhook_deliveries(seq) ON DELETE CASCADE,
                attempt INTEGER NOT NULL,
                at INTEGER NOT NULL,
                status_code INTEGER,
                error TEXT,
                duration_ms INTEGER NOT NULL,
                PRIMARY KEY (delivery_seq, attempt)
            );
            """)
    }
}
