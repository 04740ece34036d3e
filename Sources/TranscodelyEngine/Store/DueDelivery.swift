/// A delivery due to be attempted.
struct DueDelivery: Sendable {
    var seq: Int64
    var eventID: String
    var webhookID: String
    var url: String
    var secret: String
    var body: [UInt8]
    /// Attempts made before this one.
    var attempts: Int
    /// The secret could not be opened (empty `secret`): the endpoint must be created again.
    var unsealable: Bool { secret.isEmpty }
}
