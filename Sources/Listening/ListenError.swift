#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Why a server did not start listening, recognised by its ``code`` (never by its text): the
/// address is in use, or the server stopped for another reason before it listened.
public struct ListenError: Error, CustomStringConvertible {
    /// What kind of failure: compare with the static constants.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable { case addressInUse, notListening }
        private let value: Value
        /// Another socket holds the address (`EADDRINUSE`).
        public static let addressInUse = Code(value: .addressInUse)
        /// The server stopped before it listened, for any other reason (see `underlying`).
        public static let notListening = Code(value: .notListening)
    }

    public let code: Code
    /// The address asked for.
    public let host: String
    public let port: Int
    /// What the server's group threw, when it threw.
    public let underlying: (any Error)?

    /// Classifies what the group threw: an `IOError` with `EADDRINUSE` is `.addressInUse`.
    init(host: String, port: Int, underlying: (any Error)?) {
        self.host = host
        self.port = port
        self.underlying = underlying
        let inUse = (underlying as? IOError)?.errnoCode == EADDRINUSE
        code = inUse ? .addressInUse : .notListening
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var address: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// One line: "127.0.0.1:8080 is already in use", or "could not listen on …: why".
    public var description: String {
        if code == .addressInUse { return "\(address) is already in use" }
        guard let underlying else { return "the server stopped before it listened on \(address)" }
        return "could not listen on \(address): \(underlying)"
    }
}
