/// Why a certificate or key cannot be served, in one sentence that says what to do.
public struct CertificateError: Error, Sendable, CustomStringConvertible {
    /// The sentence, naming the file.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
