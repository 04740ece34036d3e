extension PostgresSchema {
    /// Version 2: settings the nodes of one database must agree on. Today one: a value sealed with
    /// the first node's `secrets.key`, which every later node must be able to open (webhook
    /// secrets are sealed with that key: a node with another could not sign). And the rate
    /// limit's clock, corrected: the engine's, like every other `bigint` time.
    static let migration0002 = Migration(version: 2, name: "store settings; the rate limit's clock", statements: [
        """
        CREATE TABLE store_settings (
            name text PRIMARY KEY,
            value text NOT NULL
        )
        """,
        """
        COMMENT ON COLUMN rate_limits.arrival IS 'GCRA theoretical arrival time, microseconds since 1970 in the engine clock (as every bigint time here; nodes apart by e microseconds shift an allowance by e x rate requests): admitted when GREATEST(arrival, now) + interval - now <= tolerance, in one INSERT ... ON CONFLICT DO UPDATE.'
        """,
    ])
}
