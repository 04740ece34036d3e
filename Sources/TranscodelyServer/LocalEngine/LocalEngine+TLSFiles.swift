extension LocalEngine {
    /// The PEM files of a TLS server: certificate (chain) and private key.
    public struct TLSFiles: Sendable, Hashable {
        public var certificateFile: String
        public var keyFile: String
        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }
}
