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

    /// Records an attempt (`webhook_attempts`, number `delivery.attempts + 1`) and what follows
    /// from it, all in one transaction:
    ///
    /// - `.delivered`: the delivery is `delivered`, `ended_at = at`; the endpoint's
    ///   `given_up_in_a_row` is set to 0.
    /// - `.retry(next)`: the delivery stays `pending`, due at `next`.
    /// - `.gaveUp(disableAfter: n, reason:)`: the delivery is `failed`, `ended_at = at`; the
    ///   endpoint's `given_up_in_a_row` goes up by one, and when it is then `>= n` and the endpoint
    ///   is not disabled yet, it is disabled as `.disable(reason)` does. The limit travels with the
    ///   outcome (the policy is the dispatcher's, the count the store's), so the count is read and
    ///   acted on in the same transaction and two nodes giving up at once cannot both miss it.
    /// - `.disable(reason)`: the delivery is `failed`, `ended_at = at`; the endpoint gets
    ///   `disabled_at = at`, `disabled_reason = reason`; its other `pending` deliveries become
    ///   `dropped` with `ended_at = at`.
    ///
    /// Whatever the outcome, a delivery still `pending` afterwards whose endpoint is disabled (by
    /// another attempt while this one was in flight) becomes `dropped` too, so that every
    /// delivery of a disabled endpoint is settled and, in time, pruned. Returns whether this
    /// attempt disabled the endpoint (false when it was disabled before, by another attempt or a
    /// 410). A delivery whose webhook was deleted while it was in flight records nothing and
    /// returns false.
    @discardableResult
    func recordAttempt(_ delivery: DueDelivery, at: Int64, statusCode: Int?, error: String?, durationMs: Int,
                       outcome: AttemptOutcome) async throws -> Bool

    /// Deletes the settled deliveries (`delivered`, `failed`, `dropped`) whose `ended_at` is
    /// before `cutoff` (microseconds, the store's clock), with their attempts; pending ones are
    /// never touched, however old. Returns how many deliveries were deleted. The dispatcher calls
    /// it at start and then hourly with `now - WebhookPolicy.retention`; with several engines on
    /// one store, any of them may: it is idempotent.
    @discardableResult
    func pruneDeliveries(endedBefore cutoff: Int64) async throws -> Int

    /// Who to ring when committed changes have queued deliveries: the dispatcher's wake-up. Rung
    /// after the commit, never inside it; a store shared by several engines rings it too when
    /// another one queued (a notification), the dispatcher's poll being the fallback.
    func setBell(_ bell: @escaping @Sendable () -> Void)

    /// Every delivery queued for one job and not yet pruned, in order, attempted or not: for tests
    /// and diagnostics.
    func deliveries(jobID: String) async throws -> [QueuedDelivery]

    /// Every attempt at the deliveries of one job, in order: for tests and diagnostics.
    func deliveryAttempts(jobID: String) async throws -> [DeliveryAttempt]
}
