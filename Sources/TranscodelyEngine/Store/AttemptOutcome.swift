/// What became of one attempt at a webhook delivery.
public enum AttemptOutcome: Sendable {
    /// A 2xx answer: nothing more to send.
    case delivered
    /// Try again at this time (microseconds, the store's clock).
    case retry(at: Int64)
    /// Out of attempts: the delivery is given up (it stays recorded).
    case gaveUp
    /// The endpoint answered 410 Gone: it is disabled and its pending deliveries dropped.
    case disable(reason: String)
}
