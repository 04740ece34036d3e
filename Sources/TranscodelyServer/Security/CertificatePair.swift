import Foundation
import NIOSSL

/// A server certificate chain and its private key, read from PEM files and checked the way a
/// client would: present, parseable, the key belonging to the certificate, and valid now. What
/// `tcly serve --tls-cert FILE --tls-key FILE` serves, and what a reload must pass before it
/// replaces the pair being served.
public struct CertificatePair: Sendable {
    /// The leaf first, then any intermediates, as the certificate file lists them.
    public let chain: [NIOSSLCertificate]
    /// The leaf's private key.
    public let key: NIOSSLPrivateKey
    /// When the leaf stops being valid.
    public let notValidAfter: Date

    /// Reads and checks the pair; the error is one sentence naming the file and what to do.
    public static func load(certificateFile: String, keyFile: String, now: Date = Date()) throws(CertificateError) -> CertificatePair {
        try readable(certificateFile, flag: "--tls-cert")
        try readable(keyFile, flag: "--tls-key")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
            throw CertificateError("\(certificateFile) holds no PEM certificate (-----BEGIN CERTIFICATE-----); give --tls-cert the certificate file")
        }
        guard let leaf = chain.first else {
            throw CertificateError("\(certificateFile) holds no PEM certificate (-----BEGIN CERTIFICATE-----); give --tls-cert the certificate file")
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw CertificateError("\(keyFile) holds no unencrypted PEM private key; give --tls-key the key file (decrypt an encrypted one with openssl pkey)")
        }
        let notBefore = Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore))
        let notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        if notAfter < now {
            throw CertificateError("the certificate in \(certificateFile) expired on \(Self.format(notAfter)); renew it")
        }
        if notBefore > now {
            throw CertificateError("the certificate in \(certificateFile) is not valid before \(Self.format(notBefore)); check this machine's clock or the certificate")
        }
        // BoringSSL compares the key with the leaf's public key when a context is made of them.
        do {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw CertificateError("the key in \(keyFile) does not match the certificate in \(certificateFile); give --tls-key the key the certificate was issued for")
        }
        return CertificatePair(chain: chain, key: key, notValidAfter: notAfter)
    }

    private static func readable(_ path: String, flag: String) throws(CertificateError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CertificateError("\(flag) \(path): no such file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CertificateError("\(flag) \(path): not readable by this user")
        }
    }

    /// A certificate date as the messages print it: `2026-03-01 12:00 UTC`.
    public static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
