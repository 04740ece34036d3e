/// A delivery due to be attempted.
public struct DueDelivery: Sendable {
    /// The store's identity of the delivery (what `busy` sets hold).
    public var seq: Int64
    public var eventID: String
    public var webhookID: String
    public var url: String
    /// The endpoint's signing secret, opened (empty when it could not be).
    public var secret: String
    public var body: [UInt8]
    /// Attempts made before this one.
    public var attempts: Int
    /// The secret could not be opened (empty `secret`): the endpoint must be created again.
    public var unsealable: Bool { secret.isEmpty }

    public init(seq: Int64, eventID: String, webhookID: String, url: String, secret: String, body: [UInt8], attempts: Int) {
        self.seq = seq
        self.eventID = eventID
        self.webhookID = webhookID
        self.url = url
        self.secret = secret
        self.body = body
        self.attempts = attempts
    }
}
