import TranscodelyAPI

/// One recorded attempt, for tests and diagnostics.
public struct DeliveryAttempt: Sendable, Hashable {
    public var eventID: String
    public var webhookID: String
    public var attempt: Int
    /// When it was made (by the engine's clock).
    public var at: Timestamp
    public var statusCode: Int?
    public var error: String?
    public var state: String

    public init(eventID: String, webhookID: String, attempt: Int, at: Timestamp, statusCode: Int?, error: String?, state: String) {
        self.eventID = eventID
        self.webhookID = webhookID
        self.attempt = attempt
        self.at = at
        self.statusCode = statusCode
        self.error = error
        self.state = state
    }
}
