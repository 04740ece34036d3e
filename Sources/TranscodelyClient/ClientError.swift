import TranscodelyAPI

/// Why a call failed: the server answered with an error, or the exchange itself broke — with how
/// many attempts were made.
public struct ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered (with this HTTP status), or no answer could be read.
    public enum Origin: Sendable, Hashable {
        case server(httpStatus: Int)
        /// Connection refused or reset, timeout, malformed reply. For a request that changes
        /// something, it may or may not have taken effect.
        case transport
        /// The TLS handshake failed (a certificate not trusted, a server without TLS): nothing
        /// was sent, and sending again fails the same way.
        case tls
    }

    public var origin: Origin
    /// The Connect error: decoded from the body, inferred from the HTTP status when the body had
    /// none, `unavailable` for transport failures.
    public var error: ConnectError
    public var retryAfter: Duration?
    /// Attempts made, the first included.
    public var attempts: Int

    public static func server(_ error: ConnectError, httpStatus: Int, retryAfter: Duration?) -> ClientError {
        ClientError(origin: .server(httpStatus: httpStatus), error: error, retryAfter: retryAfter, attempts: 1)
    }

    public static func transport(_ message: String) -> ClientError {
        ClientError(origin: .transport, error: ConnectError(.unavailable, message), retryAfter: nil, attempts: 1)
    }

    /// A failed TLS handshake (see `Origin.tls`): never retried.
    public static func tls(_ message: String) -> ClientError {
        ClientError(origin: .tls, error: ConnectError(.unavailable, message), retryAfter: nil, attempts: 1)
    }

    public var code: ConnectError.Code { error.code }
    public var message: String { error.message }

    /// Whether sending the same request again is safe and may succeed, for a request that is a
    /// read or carries an idempotency key.
    public var isRetryable: Bool { origin != .tls && (origin == .transport || error.code.isRetryable) }

    public var description: String {
        switch origin {
        case let .server(status): "\(error.code.rawValue) (HTTP \(status)): \(error.message)"
        case .transport: "transport: \(error.message)"
        case .tls: "tls: \(error.message)"
        }
    }
}
