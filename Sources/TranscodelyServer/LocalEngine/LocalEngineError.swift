import TranscodelyAPI

/// Why a local engine did not start, recognised by its ``code`` (never by its text), with one
/// sentence a user can act on.
public struct LocalEngineError: Error, CustomStringConvertible {
    /// What failed: compare with the static constants.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable {
            case certificate, listenRefused, encoder, store, apps, addressInUse, notListening
        }
        private let value: Value
        /// The TLS certificate or key cannot be served.
        public static let certificate = Code(value: .certificate)
        /// Plain HTTP beyond loopback without `insecureHTTP`.
        public static let listenRefused = Code(value: .listenRefused)
        /// ffmpeg was asked for and is not usable.
        public static let encoder = Code(value: .encoder)
        /// The store cannot be opened (or its data directory is in use by another engine).
        public static let store = Code(value: .store)
        /// The apps asked for cannot be created.
        public static let apps = Code(value: .apps)
        /// Another socket holds the address.
        public static let addressInUse = Code(value: .addressInUse)
        /// The server stopped before it listened, for another reason.
        public static let notListening = Code(value: .notListening)
    }

    public let code: Code
    /// The sentence, without the program's name.
    public let message: String
    /// What failed underneath, when something threw.
    public let underlying: (any Error)?

    init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The sentence of `error`: a Connect error's message, else its description.
    static func sentence(_ error: any Error) -> String {
        (error as? ConnectError)?.message ?? String(describing: error)
    }

    public var description: String { message }
}
