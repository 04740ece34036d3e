import TranscodelyAPI

/// Where webhook endpoints and their deliveries live: what the WebhookService and the webhook
/// dispatcher need of a store.
///
/// Deliveries are queued by the store itself, in the transaction of the job change that gives
/// them (`JobStore`): an event is in the outbox exactly when its change committed. Delivery is at
/// least once; every attempt at a delivery carries the same event id.
public protocol WebhookOutbox: StoreClock {
    /// Registers an endpoint, durably; the answer carries its secret, never returned again (the
    /// store keeps it sealed at rest).
    func createWebhook(orgID: String, url: String, events: [WebhookEvent.Kind]) async throws -> Webhook

    /// An organization's endpoints, without their secrets, oldest first.
    func webhooks(orgID: String) async throws -> [Webhook]

    /// Deletes an endpoint and its pending deliveries; false when the organization has no such one.
    func deleteWebhook(id: String, orgID: String) async throws -> Bool

    /// Deliveries due by `now` (microseconds, the store's clock) to endpoints not disabled, oldest
    /// due first, at most `limit`, leaving out those in `busy` (being attempted by this process).
    func dueDeliveries(now: Int64, limit: Int, excluding busy: Set<Int64>) async throws -> [DueDelivery]

    /// When the next pending delivery is due (microseconds), if any.
    func nextDeliveryTime() async throws -> Int64?

    /// Records an attempt and what follows from it (delivered, retry at, given up, endpoint
    /// disabled with its pending deliveries dropped) in one transaction.
    func recordAttempt(_ delivery: DueDelivery, at: Int64, statusCode: Int?, error: String?, durationMs: Int,
                       outcome: AttemptOutcome) async throws

    /// Who to ring when committed changes have queued deliveries: the dispatcher's wake-up. Rung
    /// after the commit, never inside it; a store shared by several engines rings it too when
    /// another one queued (a notification), the dispatcher's poll being the fallback.
    func setBell(_ bell: @escaping @Sendable () -> Void)

    /// Every delivery queued for one job, in order, attempted or not: for tests and diagnostics.
    func deliveries(jobID: String) async throws -> [QueuedDelivery]

    /// Every attempt at the deliveries of one job, in order: for tests and diagnostics.
    func deliveryAttempts(jobID: String) async throws -> [DeliveryAttempt]
}
