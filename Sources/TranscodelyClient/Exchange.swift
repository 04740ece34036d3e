import Foundation

/// One Connect call as it went over the wire, whatever the answer's status: what `call` prints
/// (the body) and shows with `-v` (the status and headers).
public struct Exchange: Sendable {
    /// The request's headers as sent, `Authorization` redacted (`Bearer ***`).
    public var requestHeaders: [(name: String, value: String)]
    /// The HTTP status and the headers a client paces and counts by.
    public var info: ResponseInfo
    /// The answer's headers, in order.
    public var headers: [(name: String, value: String)]
    /// The answer's body: the message, or a Connect error `{"code", "message"}`.
    public var body: [UInt8]
    /// Attempts made, the first included.
    public var attempts: Int

    public init(requestHeaders: [(name: String, value: String)], info: ResponseInfo, headers: [(name: String, value: String)],
                body: [UInt8], attempts: Int) {
        self.requestHeaders = requestHeaders
        self.info = info
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    /// The answer's header `name` (case-insensitive), if it has one.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
