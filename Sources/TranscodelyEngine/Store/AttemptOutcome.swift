/// What became of one attempt at a webhook delivery: the dispatcher decides it, the store records
/// it (and what follows from it) in the transaction that records the attempt.
public enum AttemptOutcome: Sendable {
    /// A 2xx answer: nothing more to send. The endpoint's count of given-up deliveries in a row
    /// goes back to 0.
    case delivered
    /// Try again at this time (microseconds, the store's clock). The count in a row is unchanged.
    case retry(at: Int64)
    /// Out of attempts: the delivery is given up (it stays recorded) and the endpoint's count of
    /// given-up deliveries in a row goes up by one. When that count reaches `disableAfter`
    /// (`WebhookPolicy.disableAfterGivenUp`), the endpoint is disabled with `reason` and its
    /// pending deliveries dropped, as `.disable` does; `reason` is written only then.
    case gaveUp(disableAfter: Int, reason: String)
    /// The endpoint cannot be delivered to (it answered 410 Gone, or its secret cannot be opened):
    /// it is disabled with `reason` and its pending deliveries dropped.
    case disable(reason: String)
}
