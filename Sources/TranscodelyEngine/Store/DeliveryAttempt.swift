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
}
