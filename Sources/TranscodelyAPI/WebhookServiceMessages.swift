/// A webhook endpoint: where the API sends job events, signed per Standard Webhooks.
public struct Webhook: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var url: String
    /// `job.completed`, `job.failed`, `job.canceled`, `job.progress`.
    public var events: [String]
    /// `whsec_…`: present only in the answer to Create (shown once).
    public var secret: String?
    /// Why the engine stopped delivering to it (it answered 410 Gone); absent while active.
    public var disabledReason: String?

    public init(id: String, url: String, events: [String], secret: String? = nil, disabledReason: String? = nil) {
        self.id = id
        self.url = url
        self.events = events
        self.secret = secret
        self.disabledReason = disabledReason
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events, secret
        case disabledReason = "disabled_reason"
    }
}

/// `WebhookService/Create`.
public struct CreateWebhookRequest: Sendable, Hashable, Codable {
    public var url: String
    public var events: [String]

    public init(url: String, events: [String]) {
        self.url = url
        self.events = events
    }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: ["url", "events"])
        url = try object.require(String.self, "url")
        events = try object.decode([String].self, "events") ?? []
    }
}

/// `WebhookService/Delete`.
public struct WebhookIDRequest: Sendable, Hashable, Codable {
    public var id: String
    public init(id: String) { self.id = id }
    public init(from decoder: any Decoder) throws {
        id = try StrictObject(decoder, fields: ["id"]).require(String.self, "id")
    }
}

public struct WebhookResponse: Sendable, Hashable, Codable {
    public var webhook: Webhook
    public init(webhook: Webhook) { self.webhook = webhook }
}

public struct ListWebhooksResponse: Sendable, Hashable, Codable {
    public var webhooks: [Webhook]
    public init(webhooks: [Webhook]) { self.webhooks = webhooks }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        webhooks = try c.decodeIfPresent([Webhook].self, forKey: .webhooks) ?? []
    }
}

/// A message with no fields (`{}`): the request of `WebhookService/List` and the answer of
/// `Delete`. Decoding refuses any field, naming it.
public struct EmptyRequest: Sendable, Hashable, Codable {
    public init() {}
    public init(from decoder: any Decoder) throws { _ = try StrictObject(decoder, fields: []) }
    public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: AnyCodingKey.self) }
}
