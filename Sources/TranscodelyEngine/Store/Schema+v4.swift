import GRDB

extension Schema {
    /// Version 4: what webhook endpoints and deliveries need to be disabled and pruned (the
    /// columns the PostgreSQL schema has from its first version).
    ///
    /// - `webhooks.given_up_in_a_row`: deliveries given up since the endpoint's last delivered one;
    ///   at `WebhookPolicy.disableAfterGivenUp` the endpoint is disabled.
    /// - `webhook_deliveries.ended_at`: when a delivery settled (delivered, failed, dropped), in
    ///   microseconds of the store's clock; NULL while pending. Deliveries settled before this
    ///   version get their last attempt's time, or their creation time when they had none.
    static func v4(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE webhooks ADD COLUMN given_up_in_a_row INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE webhook_deliveries ADD COLUMN ended_at INTEGER;
            UPDATE webhook_deliveries
                SET ended_at = COALESCE((SELECT MAX(a.at) FROM webhook_attempts a WHERE a.delivery_seq = webhook_deliveries.seq), created_at)
                WHERE state <> 'pending';
            CREATE INDEX webhook_deliveries_ended ON webhook_deliveries(ended_at) WHERE state <> 'pending';
            """)
    }
}
