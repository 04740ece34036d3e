import AsyncHTTPClient
import Foundation
import NetworkFailures
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
    /// ("the API"), `fix` what to set — or nil when `reason` is no TLS failure. `detail` is the
    /// error's own text, said only when the reason has no words of its own.
    public static func describeTLS(_ reason: NetworkFailure, detail: @autoclosure () -> String, peer: String, fix: String) -> String? {
        switch reason {
        case .tlsWrongHost:
            "\(peer)'s certificate is not trusted: it was not issued for this host name (serve a certificate that lists it, or use a name it lists)"
        case .tlsUntrusted:
            "\(peer)'s certificate is not trusted: no CA this client trusts signed it, or it expired (\(fix))"
        case .tlsNotTLS:
            "\(peer) does not speak TLS there (use http:// for a plain-HTTP server)"
        case .tlsHandshake:
            "the TLS handshake with \(peer) failed: \(detail().prefix(200))"
        default:
            nil
        }
    }
}
