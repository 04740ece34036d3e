import NetworkFailures
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
        /// The calling task was cancelled (Ctrl-C) before the answer came. For a request that
        /// changes something, it may or may not have taken effect; it is never sent again on its own.
        case cancelled
    }

    public var origin: Origin
    /// What broke, for a failure of transport or TLS (nil when the server answered), read from
    /// the error's type: callers decide by it, never by the message's words.
    public var reason: NetworkFailure?
    /// The Connect error: decoded from the body, inferred from the HTTP status when the body had
    /// none, `unavailable` for transport failures.
    public var error: ConnectError
    public var retryAfter: Duration?
    /// Attempts made, the first included.
    public var attempts: Int

    public static func server(_ error: ConnectError, httpStatus: Int, retryAfter: Duration?) -> ClientError {
        ClientError(origin: .server(httpStatus: httpStatus), error: error, retryAfter: retryAfter, attempts: 1)
    }

    /// A failure of transport: `reason` says what broke (`.other` for an answer that could not be read).
    public static func transport(_ message: String, reason: NetworkFailure = .other) -> ClientError {
        ClientError(origin: .transport, reason: reason, error: ConnectError(.unavailable, message), retryAfter: nil, attempts: 1)
    }

    /// A failed TLS handshake (see `Origin.tls`): never retried.
    public static func tls(_ message: String, reason: NetworkFailure = .tlsHandshake) -> ClientError {
        ClientError(origin: .tls, reason: reason, error: ConnectError(.unavailable, message), retryAfter: nil, attempts: 1)
    }

    /// The calling task was cancelled before an answer came (see `Origin.cancelled`): code `canceled`.
    public static func cancelled(_ message: String) -> ClientError {
        ClientError(origin: .cancelled, error: ConnectError(.canceled, message), retryAfter: nil, attempts: 1)
    }

    /// Whether the request certainly never reached the server (refused, unresolved, no
    /// connection in time, TLS refused): it cannot have run.
    public var neverReachedServer: Bool { reason?.neverReachedServer ?? false }

    public var code: ConnectError.Code { error.code }
    public var message: String { error.message }

    /// Whether sending the same request again is safe and may succeed, for a request that is a
    /// read or carries an idempotency key.
    public var isRetryable: Bool {
        switch origin {
        case .tls, .cancelled: false
        case .transport: true
        case .server: error.code.isRetryable
        }
    }

    public var description: String {
        switch origin {
        case let .server(status): "\(error.code.rawValue) (HTTP \(status)): \(error.message)"
        case .transport: "transport: \(error.message)"
        case .tls: "tls: \(error.message)"
        case .cancelled: "cancelled: \(error.message)"
        }
    }
}
