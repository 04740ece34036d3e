extension PostgresSchema {
    /// Version 1: everything an engine on several nodes shares, mirroring the SQLite store's
    /// versions 1–3 (Sources/TranscodelyEngine/Store/Schema+v1…v3.swift) column for column, plus
    /// what several nodes need: leases on jobs, claims on deliveries, the commit-ordered change
    /// clock, and the rate limiter's state. docs/scale-out.md explains each choice.
    ///
    /// Two clocks, told apart by type: `bigint` columns are microseconds since 1970 from the
    /// engine's clock (as SQLite stores them, `Timestamp.microseconds`), `timestamptz` columns are
    /// the database's clock (`now()`), used for leases and claims so that no node's clock skew
    /// shortens or stretches them.
    static let migration0001 = Migration(version: 1, name: "orgs, apps, keys, jobs, leases, attempts, webhooks, outbox, rate limits", statements: [
        """
        CREATE TABLE orgs (
            id text PRIMARY KEY,
            name text NOT NULL,
            created_at bigint NOT NULL
        )
        """,
        """
        CREATE TABLE apps (
            id text PRIMARY KEY,
            org_id text NOT NULL REFERENCES orgs (id),
            name text NOT NULL,
            tier text NOT NULL CHECK (tier IN ('standard', 'premium', 'unlimited')),
            created_at bigint NOT NULL,
            UNIQUE (org_id, name)
        )
        """,
        """
        CREATE TABLE api_keys (
            hash bytea PRIMARY KEY,
            app_id text NOT NULL REFERENCES apps (id),
            hint text NOT NULL,
            created_at bigint NOT NULL,
            revoked_at bigint
        )
        """,
        "CREATE INDEX api_keys_by_app ON api_keys (app_id)",

        // The change clock: one row, whose lock orders every job change by commit.
        """
        CREATE TABLE job_clock (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            last_stamp bigint NOT NULL
        )
        """,
        "INSERT INTO job_clock (only_row, last_stamp) VALUES (true, 0)",
        """
        COMMENT ON TABLE job_clock IS 'The last updated_at given to a job change. A transaction that changes jobs takes its stamp last, as UPDATE job_clock SET last_stamp = GREATEST(last_stamp + 1, engine now) RETURNING last_stamp, and holds the row lock until it commits: stamps are therefore in commit order, and a List(updated_since) watcher misses no change.'
        """,

        """
        CREATE TABLE jobs (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            org_id text NOT NULL REFERENCES orgs (id),
            app_id text NOT NULL REFERENCES apps (id),
            idempotency_key text,
            request_hash bytea NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'probing', 'processing', 'completed', 'failed', 'canceled')),
            progress double precision NOT NULL DEFAULT 0,
            priority integer NOT NULL,
            input_origin_id text NOT NULL,
            input_path text NOT NULL,
            output_origin_id text NOT NULL,
            metadata text NOT NULL,
            outputs text NOT NULL,
            input text,
            results text,
            error_code text,
            error_message text,
            error_detail text,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            started_at bigint,
            completed_at bigint,
            attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
            lease_token uuid,
            lease_node text,
            lease_expires_at timestamptz,
            CONSTRAINT jobs_idempotency UNIQUE (app_id, idempotency_key),
            CONSTRAINT jobs_lease_whole CHECK (
                (lease_token IS NULL) = (lease_node IS NULL) AND (lease_token IS NULL) = (lease_expires_at IS NULL)),
            CONSTRAINT jobs_lease_while_running CHECK (lease_token IS NULL OR status IN ('probing', 'processing'))
        )
        """,
        "CREATE INDEX jobs_by_org_updated ON jobs (org_id, updated_at, id)",
        "CREATE INDEX jobs_by_status ON jobs (status)",
        "CREATE INDEX jobs_queue ON jobs (priority DESC, seq) WHERE status = 'pending'",
        "CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE lease_token IS NOT NULL",
        "CREATE INDEX jobs_by_lease_node ON jobs (lease_node) WHERE lease_token IS NOT NULL",
        "COMMENT ON COLUMN jobs.updated_at IS 'The change stamp from job_clock: strictly later for every later commit (rows of one commit may share it).'",
        "COMMENT ON COLUMN jobs.attempt IS 'Claims so far: 1 on the first claim, + 1 for each rescue of an expired lease.'",
        "COMMENT ON COLUMN jobs.lease_token IS 'Set by a claim, cleared when the job ends or is requeued; every progress write and the completion of a node carry WHERE lease_token = its token, so a node that lost its lease writes nothing.'",
        "COMMENT ON COLUMN jobs.lease_expires_at IS 'In the database clock; pushed forward by the node''s heartbeat. Past it, the job may be rescued.'",

        """
        CREATE TABLE job_attempts (
            job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            number integer NOT NULL,
            node text NOT NULL,
            lease_token uuid NOT NULL,
            started_at bigint NOT NULL,
            ended_at bigint,
            outcome text NOT NULL DEFAULT 'running',
            tool text NOT NULL,
            command text NOT NULL DEFAULT '[]',
            lines text NOT NULL DEFAULT '[]',
            truncated boolean NOT NULL DEFAULT false,
            PRIMARY KEY (job_id, number)
        )
        """,
        "CREATE INDEX job_attempts_running ON job_attempts (outcome) WHERE outcome = 'running'",
        "CREATE INDEX job_attempts_ended ON job_attempts (ended_at)",

        """
        CREATE TABLE webhooks (
            id text PRIMARY KEY,
            org_id text NOT NULL REFERENCES orgs (id),
            url text NOT NULL,
            events text NOT NULL,
            secret text NOT NULL,
            created_at bigint NOT NULL,
            disabled_at bigint,
            disabled_reason text,
            given_up_in_a_row integer NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX webhooks_by_org ON webhooks (org_id)",
        "COMMENT ON COLUMN webhooks.given_up_in_a_row IS 'Deliveries given up since the last one delivered; at the documented limit the endpoint is disabled.'",
        """
        CREATE TABLE webhook_deliveries (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id text NOT NULL,
            webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
            job_id text NOT NULL,
            body bytea NOT NULL,
            created_at bigint NOT NULL,
            next_attempt_at bigint NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
            ended_at bigint,
            claim_node text,
            claim_expires_at timestamptz,
            UNIQUE (event_id, webhook_id),
            CONSTRAINT webhook_deliveries_claim_whole CHECK ((claim_node IS NULL) = (claim_expires_at IS NULL))
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'",
        "CREATE INDEX webhook_deliveries_ended ON webhook_deliveries (ended_at) WHERE state <> 'pending'",
        "COMMENT ON COLUMN webhook_deliveries.claim_expires_at IS 'In the database clock: a node claims due rows with FOR UPDATE SKIP LOCKED and sets its claim; an expired claim (a dead node) may be taken again, which is why delivery is at least once.'",
        """
        CREATE TABLE webhook_attempts (
            delivery_seq bigint NOT NULL REFERENCES webhook_deliveries (seq) ON DELETE CASCADE,
            attempt integer NOT NULL,
            node text NOT NULL,
            at bigint NOT NULL,
            status_code integer,
            error text,
            duration_ms integer NOT NULL,
            PRIMARY KEY (delivery_seq, attempt)
        )
        """,
        "CREATE INDEX webhook_attempts_at ON webhook_attempts (at)",

        """
        CREATE TABLE rate_limits (
            app_id text PRIMARY KEY REFERENCES apps (id),
            arrival bigint NOT NULL
        )
        """,
        "COMMENT ON COLUMN rate_limits.arrival IS 'GCRA theoretical arrival time, microseconds since 1970 in the database clock, so that every node counts against one limit: admitted when GREATEST(arrival, now) + interval - now <= tolerance, in one INSERT ... ON CONFLICT DO UPDATE.'",
    ])
}
