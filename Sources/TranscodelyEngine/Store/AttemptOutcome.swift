/// What became of one attempt.
enum AttemptOutcome: Sendable {
    case delivered
    case retry(at: Int64)
    /// Out of attempts: the delivery is given up (it stays recorded).
    case gaveUp
    /// The endpoint answered 410 Gone: it is disabled and its pending deliveries dropped.
    case disable(reason: String)
}
