import Foundation
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore {
    // MARK: - Endpoints

    /// Registers an endpoint; the answer carries its secret, which the store keeps sealed.
    public func createWebhook(orgID: String, url: String, events: [WebhookEvent.Kind]) async throws -> Webhook {
        let webhook = Webhook(id: IDGenerator.make("wh_"), url: url, events: events.map(\.rawValue), secret: WebhookSignature.newSecret())
        let now = clock.timestamp.microseconds
        let sealed = try sealer().seal(webhook.secret ?? "")
        _ = try await query("""
            INSERT INTO webhooks (id, org_id, url, events, secret, created_at)
            VALUES (\(webhook.id), \(orgID), \(url), \(webhook.events.joined(separator: ",")), \(sealed), \(now))
            """)
        return webhook
    }

    /// An organization's endpoints, without their secrets.
    public func webhooks(orgID: String) async throws -> [Webhook] {
        try await query("""
            SELECT id, url, events, disabled_reason FROM webhooks WHERE org_id = \(orgID) ORDER BY created_at, id
            """).map { row in
            let (id, url, events, reason) = try row.decode((String, String, String, String?).self)
            var webhook = Webhook(id: id, url: url, events: events.split(separator: ",").map(String.init))
            webhook.disabledReason = reason
            return webhook
        }
    }

    /// Deletes an endpoint and (by cascade) its deliveries; false when the organization has no such one.
    public func deleteWebhook(id: String, orgID: String) async throws -> Bool {
        !(try await query("DELETE FROM webhooks WHERE id = \(id) AND org_id = \(orgID) RETURNING 1")).isEmpty
    }

    // MARK: - The outbox

    /// Queues the events a job change gives, inside the transaction that makes the change, and
    /// rings every node's dispatcher when it commits. The endpoints are read in the transaction
    /// (any node may have added one): only for a change that gives an event at all. `FOR KEY
    /// SHARE`: an endpoint being deleted at that moment is waited for and then skipped, where an
    /// unlocked read would insert deliveries for it and fail the job's change on the foreign key.
    func enqueueEvents(from previous: Job, to next: Job, orgID: String, on connection: PostgresConnection) async throws {
        guard let kind = events.kind(from: previous, to: next) else { return }
        let endpoints = try await connection.query("""
            SELECT id, events FROM webhooks WHERE org_id = \(orgID) AND disabled_at IS NULL FOR KEY SHARE
            """, logger: logger).collect().compactMap { row -> String? in
            let (id, events) = try row.decode((String, String).self)
            return events.split(separator: ",").contains(Substring(kind.rawValue)) ? id : nil
        }
        guard !endpoints.isEmpty else { return }
        let event = WebhookEvent(type: kind, id: IDGenerator.make("evt_"), createdAt: next.updatedAt, job: next)
        let body = Data(event.jsonBytes)
        let at = next.updatedAt.microseconds
        try await connection.query("""
            INSERT INTO webhook_deliveries (event_id, webhook_id, job_id, body, created_at, next_attempt_at)
            SELECT \(event.id), endpoint, \(next.id), \(body), \(at), \(at) FROM unnest(\(endpoints)) AS endpoint
            """, logger: logger)
        try await notify("outbox", on: connection)
    }

    /// Who to ring when deliveries were queued, by this node or another (the channel's `outbox`).
    public func setBell(_ bell: @escaping @Sendable () -> Void) {
        self.bell.withLock { $0 = bell }
    }

    /// Claims deliveries due by `now` for this node: `FOR UPDATE SKIP LOCKED`, then marked with
    /// this node and a claim expiry (`settings.deliveryClaim`, database clock), so no two nodes
    /// attempt one delivery at once. A claim of a node that died expires and the delivery is taken
    /// again: delivery is at least once, every attempt under the same `webhook-id`.
    public func dueDeliveries(now: Int64, limit: Int, excluding busy: Set<Int64>) async throws -> [DueDelivery] {
        guard limit > 0 else { return [] }
        let claim = Double(settings.deliveryClaim.microseconds) / 1_000_000
        let rows = try await query("""
            UPDATE webhook_deliveries d SET claim_node = \(node), claim_expires_at = now() + make_interval(secs => \(claim))
            FROM webhooks w
            WHERE w.id = d.webhook_id AND d.seq IN (
                SELECT c.seq FROM webhook_deliveries c JOIN webhooks e ON e.id = c.webhook_id
                WHERE c.state = 'pending' AND c.next_attempt_at <= \(now) AND e.disabled_at IS NULL
                    AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now()) AND NOT (c.seq = ANY(\(Array(busy))))
                ORDER BY c.next_attempt_at, c.seq LIMIT \(limit) FOR UPDATE OF c SKIP LOCKED)
            RETURNING d.seq, d.event_id, d.webhook_id, d.body, d.attempts, w.url, w.secret
            """)
        return try rows.map { row in
            let (seq, eventID, webhookID, body, attempts, url, secret) = try row.decode((Int64, String, String, Data, Int, String, String).self)
            // A secret that cannot be opened fails its endpoint, not the batch.
            return DueDelivery(seq: seq, eventID: eventID, webhookID: webhookID, url: url,
                               secret: (try? secrets?.open(secret)) ?? "", body: [UInt8](body), attempts: attempts)
        }.sorted { $0.seq < $1.seq }
    }

    /// When the next pending delivery may be attempted (microseconds): its due time, or the end of
    /// another node's claim on it.
    public func nextDeliveryTime() async throws -> Int64? {
        try await query("""
            SELECT MIN(GREATEST(d.next_attempt_at, COALESCE((extract(epoch FROM d.claim_expires_at) * 1000000)::bigint, 0)))
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.state = 'pending' AND w.disabled_at IS NULL
            """).first?.decode(Int64?.self)
    }

    /// Records an attempt and what follows from it in one transaction, giving up the claim; the
    /// endpoint's row is locked first, so that nodes giving up on one endpoint at once count
    /// every give-up. Returns whether this attempt disabled the endpoint.
    @discardableResult
    public func recordAttempt(_ delivery: DueDelivery, at: Int64, statusCode: Int?, error: String?, durationMs: Int,
                              outcome: AttemptOutcome) async throws -> Bool {
        let attempt = delivery.attempts + 1
        let webhook = delivery.webhookID
        return try await transaction { connection in
            // No key changes: other transactions' foreign-key checks on the row need not wait.
            let locked = try await connection.query("""
                SELECT given_up_in_a_row, disabled_at IS NOT NULL FROM webhooks WHERE id = \(webhook) FOR NO KEY UPDATE
                """, logger: self.logger).collect()
            // Deleted while this attempt was in flight (its deliveries with it): nothing to record.
            guard let row = locked.first else { return false }
            let (givenUpInARow, wasDisabled) = try row.decode((Int, Bool).self)
            try await connection.query("""
                INSERT INTO webhook_attempts (delivery_seq, attempt, node, at, status_code, error, duration_ms)
                VALUES (\(delivery.seq), \(attempt), \(self.node), \(at), \(statusCode), \(error), \(durationMs))
                ON CONFLICT (delivery_seq, attempt) DO UPDATE SET node = EXCLUDED.node, at = EXCLUDED.at,
                    status_code = EXCLUDED.status_code, error = EXCLUDED.error, duration_ms = EXCLUDED.duration_ms
                """, logger: self.logger)
            var disableWith: String?
            switch outcome {
            case .delivered:
                try await self.settle(delivery.seq, attempt: attempt, state: "delivered", at: at, on: connection)
                try await connection.query("UPDATE webhooks SET given_up_in_a_row = 0 WHERE id = \(webhook)", logger: self.logger)
            case let .retry(next):
                try await connection.query("""
                    UPDATE webhook_deliveries SET attempts = \(attempt), next_attempt_at = \(next), claim_node = NULL,
                        claim_expires_at = NULL WHERE seq = \(delivery.seq)
                    """, logger: self.logger)
            case let .gaveUp(limit, reason):
                try await self.settle(delivery.seq, attempt: attempt, state: "failed", at: at, on: connection)
                try await connection.query("UPDATE webhooks SET given_up_in_a_row = given_up_in_a_row + 1 WHERE id = \(webhook)",
                                           logger: self.logger)
                if givenUpInARow + 1 >= limit { disableWith = reason }
            case let .disable(reason):
                try await self.settle(delivery.seq, attempt: attempt, state: "failed", at: at, on: connection)
                disableWith = reason
            }
            // The row is locked: it was disabled before, or is now by this attempt.
            let disabledNow = !wasDisabled && disableWith != nil
            if let reason = disableWith, disabledNow {
                try await connection.query("""
                    UPDATE webhooks SET disabled_at = \(at), disabled_reason = \(reason) WHERE id = \(webhook)
                    """, logger: self.logger)
            }
            // Nothing of a disabled endpoint stays pending (disabled now, or by another node's attempt).
            if wasDisabled || disabledNow {
                try await connection.query("""
                    UPDATE webhook_deliveries SET state = 'dropped', ended_at = \(at), claim_node = NULL, claim_expires_at = NULL
                    WHERE webhook_id = \(webhook) AND state = 'pending'
                    """, logger: self.logger)
            }
            return disabledNow
        }
    }

    /// Deletes settled deliveries that ended before `cutoff` (microseconds) with their attempts
    /// (by cascade); returns how many deliveries.
    @discardableResult
    public func pruneDeliveries(endedBefore cutoff: Int64) async throws -> Int {
        try await query("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND ended_at < \(cutoff) RETURNING 1").count
    }

    private func settle(_ seq: Int64, attempt: Int, state: String, at: Int64, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE webhook_deliveries SET attempts = \(attempt), state = \(state), ended_at = \(at), claim_node = NULL,
                claim_expires_at = NULL WHERE seq = \(seq)
            """, logger: logger)
    }

    /// Every delivery queued for one job, in order, attempted or not: for tests and diagnostics.
    public func deliveries(jobID: String) async throws -> [QueuedDelivery] {
        try await query("""
            SELECT event_id, webhook_id, state, attempts, next_attempt_at FROM webhook_deliveries WHERE job_id = \(jobID) ORDER BY seq
            """).map { row in
            let (eventID, webhookID, state, attempts, next) = try row.decode((String, String, String, Int, Int64).self)
            return QueuedDelivery(eventID: eventID, webhookID: webhookID, state: state, attempts: attempts,
                                  nextAttemptAt: Timestamp(microseconds: next))
        }
    }

    /// Every attempt at the deliveries of one job, in order: for tests and diagnostics.
    public func deliveryAttempts(jobID: String) async throws -> [DeliveryAttempt] {
        try await query("""
            SELECT d.event_id, d.webhook_id, a.attempt, a.at, a.status_code, a.error, d.state
            FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_seq = d.seq
            WHERE d.job_id = \(jobID) ORDER BY d.seq, a.attempt
            """).map { row in
            let (eventID, webhookID, attempt, at, status, error, state) =
                try row.decode((String, String, Int, Int64, Int?, String?, String).self)
            return DeliveryAttempt(eventID: eventID, webhookID: webhookID, attempt: attempt, at: Timestamp(microseconds: at),
                                   statusCode: status, error: error, state: state)
        }
    }
}
