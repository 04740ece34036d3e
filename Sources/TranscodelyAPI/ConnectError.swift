/// An error of the Connect protocol: what every failed call of the Transcodely API returns, as
/// `{"code": "...", "message": "...", "details": [...]}` with the HTTP status of its code.
///
/// The server turns any failure into one of these; the client decodes them back. The message says
/// what was wrong and what to do, and never holds a secret.
public struct ConnectError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The Connect error codes, spelled as on the wire.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        case canceled
        case unknown
        case invalidArgument = "invalid_argument"
        case deadlineExceeded = "deadline_exceeded"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case permissionDenied = "permission_denied"
        case resourceExhausted = "resource_exhausted"
        case failedPrecondition = "failed_precondition"
        case aborted
        case outOfRange = "out_of_range"
        case unimplemented
        case `internal`
        case unavailable
        case dataLoss = "data_loss"
        case unauthenticated

        /// The HTTP status a server answers with for this code (API.md's table, Connect's mapping).
        public var httpStatus: Int {
            switch self {
            case .canceled: 499
            case .unknown, .internal, .dataLoss: 500
            case .invalidArgument, .failedPrecondition, .outOfRange: 400
            case .deadlineExceeded: 504
            case .notFound: 404
            case .alreadyExists, .aborted: 409
            case .permissionDenied: 403
            case .resourceExhausted: 429
            case .unimplemented: 501
            case .unavailable: 503
            case .unauthenticated: 401
            }
        }

        /// The code a client infers from an HTTP status when the body carries none (Connect spec).
        public init(httpStatus: Int) {
            switch httpStatus {
            case 400: self = .invalidArgument
            case 401: self = .unauthenticated
            case 403: self = .permissionDenied
            case 404: self = .notFound
            case 408: self = .deadlineExceeded
            case 409: self = .aborted
            case 412: self = .failedPrecondition
            case 413: self = .resourceExhausted
            case 415: self = .internal
            case 429: self = .resourceExhausted
            case 431: self = .resourceExhausted
            case 499: self = .canceled
            case 501: self = .unimplemented
            case 502, 503: self = .unavailable
            case 504: self = .deadlineExceeded
            default: self = .unknown
            }
        }

        /// Whether a request that failed with this code may be sent again unchanged, provided it is a
        /// read or a Create that carries an idempotency key.
        public var isRetryable: Bool {
            switch self {
            case .unavailable, .resourceExhausted, .aborted, .deadlineExceeded: true
            default: false
            }
        }
    }

    /// One entry of `details`: a typed value, as Connect carries them.
    public struct Detail: Sendable, Hashable, Codable {
        public var type: String
        public var value: String
        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }
    }

    public var code: Code
    public var message: String
    public var details: [Detail]?

    public init(_ code: Code, _ message: String, details: [Detail]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension ConnectError {
    public static func invalidArgument(_ message: String) -> ConnectError { .init(.invalidArgument, message) }
    public static func failedPrecondition(_ message: String) -> ConnectError { .init(.failedPrecondition, message) }
    public static func notFound(_ message: String) -> ConnectError { .init(.notFound, message) }
    public static func unauthenticated(_ message: String) -> ConnectError { .init(.unauthenticated, message) }
    public static func permissionDenied(_ message: String) -> ConnectError { .init(.permissionDenied, message) }
    public static func internalError(_ message: String) -> ConnectError { .init(.internal, message) }
    public static func unavailable(_ message: String) -> ConnectError { .init(.unavailable, message) }

    /// Turns any error met while decoding a request body into an `invalid_argument` that names the
    /// field and what was expected.
    public init(decoding error: any Error) {
        switch error {
        case let error as ConnectError:
            self = error
        case let error as WireError:
            self = .invalidArgument(error.description)
        case let error as DecodingError:
            self = .invalidArgument(WireError(error).description)
        default:
            self = .invalidArgument("the request body is not valid JSON: \(error)")
        }
    }
}
