import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why an HTTP exchange broke before an answer could be read, recognised by the error's type
/// (NIO's `IOError` and `NIOConnectionError`, NIOSSL's errors, AsyncHTTPClient's
/// `HTTPClientError`), never by its message text. The API client (`ClientError.reason`) and the
/// engine's webhook dispatcher both classify with it, and each says the reason in its own words.
public enum NetworkFailure: Sendable, Hashable {
    /// Nothing listens at that address (ECONNREFUSED).
    case refused
    /// The peer reset the connection (ECONNRESET).
    case reset
    /// The host name did not resolve to an address.
    case unresolved
    /// No connection could be made within the connect timeout (or the host is unreachable).
    case connectTimeout
    /// Connected, but no answer came in time.
    case timedOut
    /// The peer closed the connection before its answer.
    case closed
    /// The peer's certificate was not signed by a trusted CA, or it expired.
    case tlsUntrusted
    /// The peer's certificate was not issued for the host name asked for.
    case tlsWrongHost
    /// The peer answered the TLS handshake with something that is not TLS (a plain-HTTP server).
    case tlsNotTLS
    /// The TLS handshake failed otherwise.
    case tlsHandshake
    /// Something else: the error's own text is all there is to say.
    case other

    /// What `error`, as thrown by an AsyncHTTPClient call, says broke.
    public init(_ error: any Error) {
        self = Self.classify(error)
    }

    /// Whether the failure proves the request never reached the server (so it cannot have run):
    /// no connection, or a TLS handshake that failed before anything was sent.
    public var neverReachedServer: Bool {
        switch self {
        case .refused, .unresolved, .connectTimeout, .tlsUntrusted, .tlsWrongHost, .tlsNotTLS, .tlsHandshake: true
        case .reset, .timedOut, .closed, .other: false
        }
    }

    /// Whether the TLS handshake failed (sending again fails the same way).
    public var isTLS: Bool {
        switch self {
        case .tlsUntrusted, .tlsWrongHost, .tlsNotTLS, .tlsHandshake: true
        default: false
        }
    }

    private static func classify(_ error: any Error) -> NetworkFailure {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return .connectTimeout
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timedOut
            case .remoteConnectionClosed: return .closed
            case .tlsHandshakeTimeout: return .tlsHandshake
            default: return .other
            }
        case let error as NIOConnectionError:
            // Every address was tried: the first that says more than "other" speaks for them all.
            let reasons = error.connectionErrors.map { classify($0.error) }
            if let known = reasons.first(where: { $0 != .other }) { return known }
            if reasons.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil { return .unresolved }
            return .other
        case is SocketAddressError.UnknownHost:
            return .unresolved
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return .refused
            case ECONNRESET, EPIPE: return .reset
            case ETIMEDOUT, EHOSTUNREACH, ENETUNREACH: return .connectTimeout
            default: return .other
            }
        case let error as ChannelError where isConnectTimeout(error):
            return .connectTimeout
        case let error as NIOSSLExtraError:
            return error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch ? .tlsWrongHost : .tlsHandshake
        case let error as NIOSSLError:
            if case let .handshakeFailed(.sslError(stack)) = error { return tlsReason(stack) }
            return .tlsHandshake
        case let error as BoringSSLError:
            if case let .sslError(stack) = error { return tlsReason(stack) }
            return .tlsHandshake
        default:
            return .other
        }
    }

    private static func isConnectTimeout(_ error: ChannelError) -> Bool {
        if case .connectTimeout = error { return true }
        return false
    }

    /// BoringSSL's reason for a failed handshake. NIOSSL keeps each entry of BoringSSL's error
    /// stack as a typed `BoringSSLInternalError` whose only public field is its description,
    /// which carries BoringSSL's own reason code (`CERTIFICATE_VERIFY_FAILED`, ...): that typed
    /// field is read here, as NIOSSL gives no other way to the code.
    private static func tlsReason(_ stack: NIOBoringSSLErrorStack) -> NetworkFailure {
        let codes = stack.map(\.description)
        if codes.contains(where: { $0.contains("CERTIFICATE_VERIFY_FAILED") }) { return .tlsUntrusted }
        if codes.contains(where: { $0.contains("WRONG_VERSION_NUMBER") || $0.contains("HTTP_REQUEST") }) { return .tlsNotTLS }
        return .tlsHandshake
    }
}
