import TranscodelyAPI

/// `transcodely.v1.WebhookService`: endpoints that receive signed job events.
public protocol WebhookServiceClient: Sendable {
    /// Registers an endpoint; the answer holds its secret, shown this once.
    func create(url: String, events: [String]) async throws(ClientError) -> Webhook
    func list() async throws(ClientError) -> [Webhook]
    func delete(id: String) async throws(ClientError)
}

/// WebhookService over HTTP. Create is not idempotent (no key), so it is retried only after a 429.
public struct HTTPWebhookServiceClient: WebhookServiceClient {
    public var transport: ConnectTransport

    public init(_ transport: ConnectTransport) { self.transport = transport }

    public func create(url: String, events: [String]) async throws(ClientError) -> Webhook {
        try await transport.call("WebhookService/Create", body: ConnectTransport.body(CreateWebhookRequest(url: url, events: events)),
                                 as: WebhookResponse.self, retry: .refusedOnly).0.webhook
    }

    public func list() async throws(ClientError) -> [Webhook] {
        try await transport.call("WebhookService/List", body: Array("{}".utf8), as: ListWebhooksResponse.self, retry: .safe).0.webhooks
    }

    public func delete(id: String) async throws(ClientError) {
        _ = try await transport.call("WebhookService/Delete", body: ConnectTransport.body(WebhookIDRequest(id: id)),
                                     as: EmptyMessage.self, retry: .refusedOnly)
    }
}

/// A message with no fields (`{}`), as Delete answers.
public struct EmptyMessage: Sendable, Hashable, Codable {
    public init() {}
}
