import AsyncHTTPClient
import Foundation
import NIOSSL

/// What a client trusts for `https`: the system's CA store, plus one CA given as a PEM file
/// (`TRANSCODELY_CA_FILE`, `--ca-file`) — the private CA that signed a `tcly serve` certificate.
/// Verification is never turned off: a certificate nobody trusted here signed fails the call,
/// and `describeTLS` says so in plain words.
public enum TrustedCA {
    /// Checks that `path` holds at least one PEM certificate; the error names `source` (the
    /// flag or variable it came from) and what to do.
    public static func check(_ path: String, source: String = "TRANSCODELY_CA_FILE") throws(CAFileError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CAFileError("\(source) \(path): no such file")
        }
        guard let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty else {
            throw CAFileError("\(source) \(path): no PEM certificate in it (-----BEGIN CERTIFICATE-----); give the CA's certificate file")
        }
    }

    /// The client TLS configuration: full verification against the system store and `caFile`.
    public static func tlsConfiguration(caFile: String?) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        return configuration
    }

    /// A TLS failure in words a user can act on — `peer` names who presented the certificate
    /// ("the API"), `fix` what to set — or nil when `error` is no TLS failure.
    public static func describeTLS(_ error: any Error, peer: String, fix: String) -> String? {
        let text = "\(error) " + String(reflecting: error)
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "\(peer)'s certificate is not trusted: it was not issued for this host name (serve a certificate that lists it, or use a name it lists)"
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return "\(peer)'s certificate is not trusted: no CA this client trusts signed it, or it expired (\(fix))"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
            return "\(peer) does not speak TLS there (use http:// for a plain-HTTP server)"
        }
        if error is NIOSSLError || text.contains("handshakeFailed") {
            return "the TLS handshake with \(peer) failed: \(text.prefix(200))"
        }
        return nil
    }
}
