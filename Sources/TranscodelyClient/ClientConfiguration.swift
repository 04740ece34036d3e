import Foundation

/// Where and as whom a client calls the Transcodely API.
public struct ClientConfiguration: Sendable {
    /// `https://api.transcodely.com`, or a local engine's `http://127.0.0.1:PORT`.
    public var baseURL: String
    public var apiKey: APIKey
    public var organizationID: String
    /// How long one HTTP attempt may take; sent as `Connect-Timeout-Ms` too.
    public var timeout: Duration
    /// How long opening a connection (TCP, and the TLS handshake for `https`) may take before
    /// the attempt fails as unreachable; part of `timeout`, never longer.
    public var connectTimeout: Duration
    public var retry: RetryPolicy
    /// A PEM file of a CA trusted for `https` besides the system store (a `tcly serve` with a
    /// private CA's certificate); nil: the system store alone. See `TrustedCA`.
    public var caFile: String?

    /// The hosted service.
    public static let defaultBaseURL = "https://api.transcodely.com"

    public init(baseURL: String = Self.defaultBaseURL, apiKey: APIKey, organizationID: String,
                timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10),
                retry: RetryPolicy = RetryPolicy(), caFile: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.organizationID = organizationID
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.retry = retry
        self.caFile = caFile
    }

    /// From `TRANSCODELY_API_URL` (default the hosted service), `TRANSCODELY_API_KEY`,
    /// `TRANSCODELY_ORG_ID` and `TRANSCODELY_CA_FILE`; nil when the key or the organization is
    /// missing.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientConfiguration? {
        guard let key = environment["TRANSCODELY_API_KEY"], !key.isEmpty,
              let org = environment["TRANSCODELY_ORG_ID"], !org.isEmpty else { return nil }
        let url = environment["TRANSCODELY_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultBaseURL
        return ClientConfiguration(baseURL: url, apiKey: APIKey(key), organizationID: org,
                                   caFile: environment["TRANSCODELY_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// An API key: a secret that prints as its first characters only, so that it never reaches an
/// error message, a log line or a saved file by way of `description`.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key itself, for the Authorization header only.
    public let secret: String

    public init(_ secret: String) { self.secret = secret }

    public var description: String { "\(secret.prefix(6))…(redacted)" }
    public var debugDescription: String { description }
}
