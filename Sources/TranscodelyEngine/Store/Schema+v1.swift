import GRDB

extension Schema {
    /// Version 1: credentials and jobs. Idempotency is the UNIQUE (app_id, idempotency_key)
    /// constraint; `updated_at` orders List and is strictly increasing across the store.
    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE orgs (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE apps (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                name TEXT NOT NULL,
                tier TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (org_id, name)
            );
            CREATE TABLE api_keys (
                hash BLOB PRIMARY KEY NOT NULL,
                app_id TEXT NOT NULL REFERENCES apps(id),
                hint TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE TABLE jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                org_id TEXT NOT NULL,
                app_id TEXT NOT NULL,
                idempotency_key TEXT,
                request_hash BLOB NOT NULL,
                status TEXT NOT NULL,
                progress REAL NOT NULL DEFAULT 0,
                priority INTEGER NOT NULL,
                input_origin_id TEXT NOT NULL,
                input_path TEXT NOT NULL,
                output_origin_id TEXT NOT NULL,
                metadata TEXT NOT NULL,
                outputs TEXT NOT NULL,
                input TEXT,
                results TEXT,
                error_code TEXT,
                error_message TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                started_at INTEGER,
                completed_at INTEGER,
                UNIQUE (app_id, idempotency_key)
            );
            CREATE INDEX jobs_by_org_updated ON jobs (org_id, updated_at, id);
            CREATE INDEX jobs_by_status ON jobs (status);
            CREATE INDEX jobs_queue ON jobs (priority DESC, seq) WHERE status = 'pending';
            """)
    }
}
