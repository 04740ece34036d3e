import TranscodelyAPI

/// One delivery in the outbox as the store holds it, for tests and diagnostics: whether it is
/// still `pending`, `delivered`, `failed` (given up, or its endpoint disabled) or `dropped`, how
/// many attempts it has had and when the next is due. A test waits on these instead of a time.
public struct QueuedDelivery: Sendable, Hashable {
    public var eventID: String
    public var webhookID: String
    public var state: String
    public var attempts: Int
    /// When a `pending` delivery is next attempted.
    public var nextAttemptAt: Timestamp

    /// Whether nothing more will be attempted: delivered, given up, or dropped.
    public var isSettled: Bool { state != "pending" }

    public init(eventID: String, webhookID: String, state: String, attempts: Int, nextAttemptAt: Timestamp) {
        self.eventID = eventID
        self.webhookID = webhookID
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}
