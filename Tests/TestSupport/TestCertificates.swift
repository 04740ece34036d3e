import Foundation

/// Certificates a TLS test makes for itself with openssl (Debian's): a private CA and server
/// certificates it signs for `127.0.0.1` and `localhost`, as PEM files in a folder of the test.
/// Nothing is fetched and nothing is trusted beyond the test: the CA lives and dies with it.
public struct TestCertificates: Sendable {
    /// A CA: its certificate (what a client trusts) and key.
    public struct Authority: Sendable {
        public let certificateFile: String
        public let keyFile: String
    }

    /// A server's certificate and key.
    public struct Server: Sendable {
        public let certificateFile: String
        public let keyFile: String
        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public let folder: URL

    public init(in folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// A new self-signed CA named `name`.
    public func authority(_ name: String = "ca") async throws -> Authority {
        let certificate = path("\(name).pem"), key = path("\(name).key")
        try await Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=tcly test CA \(name)",
                                "-addext", "basicConstraints=critical,CA:TRUE",
                                "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return Authority(certificateFile: certificate, keyFile: key)
    }

    /// A server certificate for 127.0.0.1 and localhost signed by `authority`, valid for `days`
    /// (a negative number makes one that has already expired).
    public func server(_ name: String = "server", signedBy authority: Authority, days: Int = 2) async throws -> Server {
        let certificate = path("\(name).pem"), key = path("\(name).key"), request = path("\(name).csr"), extensions = path("\(name).ext")
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: URL(fileURLWithPath: extensions))
        try await Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                "-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1"])
        try await Self.openssl(["x509", "-req", "-in", request, "-CA", authority.certificateFile, "-CAkey", authority.keyFile,
                                "-CAcreateserial", "-out", certificate, "-days", String(days), "-extfile", extensions])
        return Server(certificateFile: certificate, keyFile: key)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs openssl to the end (one minute at most); throws with its output when it fails.
    static func openssl(_ arguments: [String]) async throws {
        let program = try ChildProgram("openssl", arguments)
        let status = try await program.exit(seconds: 60)
        guard status == 0 else {
            throw TclyProcessError("openssl \(arguments.prefix(2).joined(separator: " ")) failed (\(status)): \(program.errors.suffix(1000))")
        }
    }
}
