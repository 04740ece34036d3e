import Foundation
import GRDB
import Synchronization
import Timekeeping
import TranscodelyAPI

extension EngineStore {
    // MARK: - Endpoints

    /// Registers an endpoint; the answer carries its secret, which is never returned again.
    public func createWebhook(orgID: String, url: String, events: [WebhookEvent.Kind]) async throws -> Webhook {
        let webhook = Webhook(id: IDGenerator.make("wh_"), url: url, events: events.map(\.rawValue), secret: WebhookSignature.newSecret())
        let now = clock.timestamp.microseconds
        let sealed = try secrets.seal(webhook.secret ?? "")
        try await durableWrite { db in
            try db.execute(sql: "INSERT INTO webhooks (id, org_id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [webhook.id, orgID, url, webhook.events.joined(separator: ","), sealed, now])
        }
        outbox.activeOrgs.withLock { _ = $0.insert(orgID) }
        return webhook
    }

    /// An organization's endpoints, without their secrets.
    public func webhooks(orgID: String) async throws -> [Webhook] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, url, events, disabled_reason FROM webhooks WHERE org_id = ? ORDER BY created_at, id",
                             arguments: [orgID]).map { row in
                var webhook = Webhook(id: row["id"], url: row["url"], events: (row["events"] as String).split(separator: ",").map(String.init))
                webhook.disabledReason = row["disabled_reason"]
                return webhook
            }
        }
    }

    /// Deletes an endpoint and its pending deliveries; false when the organization has no such one.
    public func deleteWebhook(id: String, orgID: String) async throws -> Bool {
        let deleted = try await durableWrite { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ? AND org_id = ?", arguments: [id, orgID])
            return db.changesCount > 0
        }
        try await refreshActiveOrgs()
        return deleted
    }

    /// Reloads which organizations have an active endpoint.
    func refreshActiveOrgs() async throws {
        let orgs = try await read { db in
            try String.fetchSet(db, sql: "SELECT DISTINCT org_id FROM webhooks WHERE disabled_at IS NULL")
        }
        outbox.activeOrgs.withLock { $0 = orgs }
    }

    // MARK: - The outbox

    /// Queues the events a job change gives, inside the transaction that makes the change:
    /// `job.completed`/`failed`/`canceled` when it ends, `job.progress` (throttled) while it runs.
    func enqueueEvents(from previous: Job, to next: Job, orgID: String, in db: Database) throws {
        guard outbox.activeOrgs.withLock({ $0.contains(orgID) }) else { return }
        guard let kind = outbox.events.kind(from: previous, to: next) else { return }
        let endpoints = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, events FROM webhooks WHERE org_id = ? AND disabled_at IS NULL
            """), arguments: [orgID]).filter { ($0["events"] as String).split(separator: ",").contains(Substring(kind.rawValue)) }
        guard !endpoints.isEmpty else { return }
        let event = WebhookEvent(type: kind, id: IDGenerator.make("evt_"), createdAt: next.updatedAt, job: next)
        let body = event.jsonBytes
        let insert = try db.cachedStatement(sql: """
            INSERT INTO webhook_deliveries (event_id, webhook_id, job_id, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for endpoint in endpoints {
            try insert.execute(arguments: [event.id, endpoint["id"] as String, next.id, Data(body), next.updatedAt.microseconds,
                                           next.updatedAt.microseconds])
        }
        outbox.queued.withLock { $0 = true }
    }

    /// Who to ring when a committed transaction queued deliveries (in this process only: one
    /// engine per SQLite store).
    public func setBell(_ bell: @escaping @Sendable () -> Void) {
        outbox.bell.withLock { $0 = bell }
    }

    /// Rings the dispatcher when the transaction that just committed queued deliveries.
    func ringIfQueued() {
        guard outbox.queued.withLock({ queued in defer { queued = false }; return queued }) else { return }
        outbox.bell.withLock { $0 }?()
    }

    /// Deliveries whose time has come, oldest first, except those being attempted.
    public func dueDeliveries(now: Int64, limit: Int, excluding busy: Set<Int64>) async throws -> [DueDelivery] {
        let rows: [DueDelivery] = try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT d.seq, d.event_id, d.webhook_id, d.body, d.attempts, w.url, w.secret
                FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND w.disabled_at IS NULL
                ORDER BY d.next_attempt_at, d.seq LIMIT ?
                """), arguments: [now, limit + busy.count]).compactMap { row in
                let seq: Int64 = row["seq"]
                guard !busy.contains(seq) else { return nil }
                return DueDelivery(seq: seq, eventID: row["event_id"], webhookID: row["webhook_id"], url: row["url"],
                                   secret: row["secret"], body: [UInt8](row["body"] as Data), attempts: row["attempts"])
            }.prefix(limit).map { $0 }
        }
        return rows.map { (delivery: DueDelivery) -> DueDelivery in
            var opened = delivery
            // A secret that cannot be opened (secrets.key replaced) fails its endpoint, not the batch.
            opened.secret = (try? secrets.open(delivery.secret)) ?? ""
            return opened
        }
    }

    /// When the next pending delivery is due (microseconds), if any.
    public func nextDeliveryTime() async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = 'pending' AND w.disabled_at IS NULL
                """)
        }
    }

    /// Records an attempt and what follows from it, in one transaction (see `WebhookOutbox`);
    /// returns whether this attempt disabled the endpoint.
    @discardableResult
    public func recordAttempt(_ delivery: DueDelivery, at: Int64, statusCode: Int?, error: String?, durationMs: Int,
                              outcome: AttemptOutcome) async throws -> Bool {
        let attempt = delivery.attempts + 1
        let disabledNow = try await write { db -> Bool in
            // Its webhook deleted while this attempt was in flight (its deliveries with it): nothing to record.
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM webhook_deliveries WHERE seq = ?", arguments: [delivery.seq]) != nil else {
                return false
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO webhook_attempts (delivery_seq, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [delivery.seq, attempt, at, statusCode, error, durationMs])
            var disableWith: String?
            switch outcome {
            case .delivered:
                try db.execute(sql: "UPDATE webhook_deliveries SET attempts = ?, state = 'delivered', ended_at = ? WHERE seq = ?",
                               arguments: [attempt, at, delivery.seq])
                try db.execute(sql: "UPDATE webhooks SET given_up_in_a_row = 0 WHERE id = ?", arguments: [delivery.webhookID])
            case let .retry(next):
                try db.execute(sql: "UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ? WHERE seq = ?",
                               arguments: [attempt, next, delivery.seq])
            case let .gaveUp(limit, reason):
                try db.execute(sql: "UPDATE webhook_deliveries SET attempts = ?, state = 'failed', ended_at = ? WHERE seq = ?",
                               arguments: [attempt, at, delivery.seq])
                try db.execute(sql: "UPDATE webhooks SET given_up_in_a_row = given_up_in_a_row + 1 WHERE id = ?",
                               arguments: [delivery.webhookID])
                let inARow = try Int.fetchOne(db, sql: "SELECT given_up_in_a_row FROM webhooks WHERE id = ?",
                                              arguments: [delivery.webhookID]) ?? 0
                if inARow >= limit { disableWith = reason }
            case let .disable(reason):
                try db.execute(sql: "UPDATE webhook_deliveries SET attempts = ?, state = 'failed', ended_at = ? WHERE seq = ?",
                               arguments: [attempt, at, delivery.seq])
                disableWith = reason
            }
            var disabledNow = false
            if let reason = disableWith {
                try db.execute(sql: "UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL",
                               arguments: [at, reason, delivery.webhookID])
                disabledNow = db.changesCount > 0
            }
            // Pending deliveries of a disabled endpoint (disabled now, or by another attempt while
            // this one was in flight, this one included) are dropped: nothing of it stays unsettled.
            let disabled = try Bool.fetchOne(db, sql: "SELECT disabled_at IS NOT NULL FROM webhooks WHERE id = ?",
                                             arguments: [delivery.webhookID]) ?? false
            if disabled {
                try db.execute(sql: "UPDATE webhook_deliveries SET state = 'dropped', ended_at = ? WHERE webhook_id = ? AND state = 'pending'",
                               arguments: [at, delivery.webhookID])
            }
            return disabledNow
        }
        if disabledNow { try await refreshActiveOrgs() }
        return disabledNow
    }

    /// Deletes settled deliveries that ended before `cutoff` (microseconds), with their attempts;
    /// returns how many deliveries.
    @discardableResult
    public func pruneDeliveries(endedBefore cutoff: Int64) async throws -> Int {
        try await write { db in
            try db.execute(sql: """
                DELETE FROM webhook_attempts WHERE delivery_seq IN
                    (SELECT seq FROM webhook_deliveries WHERE state <> 'pending' AND ended_at < ?)
                """, arguments: [cutoff])
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND ended_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// Every delivery queued for one job and not yet pruned, in order, attempted or not: for tests
    /// and diagnostics. Events are queued in the transaction that changes the job, so once a job
    /// has ended this says all that will ever be sent for it (until settled ones are pruned).
    public func deliveries(jobID: String) async throws -> [QueuedDelivery] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT event_id, webhook_id, state, attempts, next_attempt_at FROM webhook_deliveries WHERE job_id = ? ORDER BY seq
                """, arguments: [jobID]).map { row in
                QueuedDelivery(eventID: row["event_id"], webhookID: row["webhook_id"], state: row["state"], attempts: row["attempts"],
                               nextAttemptAt: Timestamp(microseconds: row["next_attempt_at"]))
            }
        }
    }

    /// Every attempt at the deliveries of one job, in order: for tests and diagnostics.
    public func deliveryAttempts(jobID: String) async throws -> [DeliveryAttempt] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.event_id, d.webhook_id, a.attempt, a.at, a.status_code, a.error, d.state
                FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_seq = d.seq
                WHERE d.job_id = ? ORDER BY d.seq, a.attempt
                """, arguments: [jobID]).map { row in
                DeliveryAttempt(eventID: row["event_id"], webhookID: row["webhook_id"], attempt: row["attempt"], at: Timestamp(microseconds: row["at"]),
                                statusCode: row["status_code"], error: row["error"], state: row["state"])
            }
        }
    }
}
