import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// `tcly serve` over TLS with a CA the test makes (openssl), driven by curl and by the tcly shell
/// as separate processes: who trusts what, the start-up refusals, and a certificate renewed while
/// the server runs. Every address is loopback.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TLSServeTests {
    let key = "tk_tls_e2e_0123456789"
    let org = "org_tls"

    /// `tcly serve` with TLS on a free loopback port: the process and its `https://` URL.
    func serve(_ data: TemporaryDirectory, _ server: TestCertificates.Server, extra: [String] = []) async throws -> (TclyProcess, String) {
        let tcly = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path + "/engine",
                                    "--encoder", "simulate", "--simulate", "probe=0,encode=0.1",
                                    "--tls-cert", server.certificateFile, "--tls-key", server.keyFile] + extra,
                                   environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": org])
        return (tcly, try await tcly.waitForListening())
    }

    /// curl to the end: its exit status and what it printed (the body, then `-w` output).
    func curl(_ arguments: [String]) async throws -> (Int32, String, String) {
        let program = try ChildProgram("curl", ["-sS", "--max-time", "20"] + arguments)
        let status = try await program.exit(seconds: 60)
        return (status, program.output, program.errors)
    }

    @Test func aTLSServerAnswersCurlWithTheCAAndTheShellWithTRANSCODELY_CA_FILE() async throws {
        let data = try TemporaryDirectory("tls")
        defer { data.remove() }
        let certificates = try TestCertificates(in: data.url.appendingPathComponent("pki"))
        let ca = try await certificates.authority()
        let (tcly, url) = try await serve(data, try await certificates.server(signedBy: ca))
        defer { tcly.program.signal(SIGTERM) }
        #expect(url.hasPrefix("https://127.0.0.1:"))
        #expect(tcly.program.output.contains("TLS certificate valid until"))

        // curl trusts the CA: every path answers over TLS.
        let (health, healthBody, _) = try await curl(["--cacert", ca.certificateFile, url + "/healthz"])
        #expect(health == 0 && healthBody == #"{"status":"ok"}"#)
        for path in ["/metrics", "/openapi.yaml"] {
            let (status, code, errors) = try await curl(["--cacert", ca.certificateFile, "-o", "/dev/null", "-w", "%{http_code}", url + path])
            #expect(status == 0 && code == "200", "\(path): \(code) \(errors)")
        }
        try data.write("engine/origins/input/a.mp4", "media")
        let (created, createdBody, createdErrors) = try await curl([
            "--cacert", ca.certificateFile, url + "/transcodely.v1.JobService/Create",
            "-H", "Content-Type: application/json", "-H", "Authorization: Bearer \(key)", "-H", "X-Organization-ID: \(org)",
            "-d", #"{"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]}"#,
        ])
        #expect(created == 0, "\(createdErrors)")
        let job = try JSONDecoder().decode(JobResponse.self, from: Data(createdBody.utf8)).job
        // Without the CA, curl refuses the certificate (60: peer certificate cannot be authenticated).
        let (untrusted, _, _) = try await curl([url + "/healthz"])
        #expect(untrusted == 60)

        // The shell with TRANSCODELY_CA_FILE reads the job back over TLS.
        let environment = ["TRANSCODELY_API_URL": url, "TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": org,
                           "XDG_STATE_HOME": data.path + "/state"]
        var trusting = environment
        trusting["TRANSCODELY_CA_FILE"] = ca.certificateFile
        let (status, out, errors) = try await TclyProcess.run(["-c", "status --all"], environment: trusting, seconds: 120)
        #expect(status == 0, "\(errors)")
        #expect(out.contains(job.id))
        // --ca-file does the same.
        let (flagged, flaggedOut, _) = try await TclyProcess.run(["-c", "status --all", "--ca-file", ca.certificateFile],
                                                                 environment: environment, seconds: 120)
        #expect(flagged == 0 && flaggedOut.contains(job.id))

        // Without it, one plain-words line, at once (a certificate error is not retried).
        let started = ContinuousClock.now
        let (refused, _, refusedErrors) = try await TclyProcess.run(["-c", "status --all"], environment: environment, seconds: 120)
        #expect(refused != 0)
        #expect(refusedErrors.contains("the API's certificate is not trusted: "), "\(refusedErrors)")
        #expect(refusedErrors.contains("(set TRANSCODELY_CA_FILE"), "\(refusedErrors)")
        #expect(!refusedErrors.contains(key))
        #expect(ContinuousClock.now - started < .seconds(20))
        // A CA file that is not there is named before anything is sent.
        var missing = environment
        missing["TRANSCODELY_CA_FILE"] = data.path + "/nope.pem"
        let (absent, _, absentErrors) = try await TclyProcess.run(["-c", "status --all"], environment: missing)
        #expect(absent == 2 && absentErrors == "tcly: TRANSCODELY_CA_FILE \(data.path)/nope.pem: no such file\n")
    }

    @Test func certificateProblemsRefuseToStartWithOneLineEach() async throws {
        let data = try TemporaryDirectory("tls")
        defer { data.remove() }
        let certificates = try TestCertificates(in: data.url.appendingPathComponent("pki"))
        let ca = try await certificates.authority()
        let good = try await certificates.server(signedBy: ca)
        let other = try await certificates.server("other", signedBy: ca)
        let expired = try await certificates.server("expired", signedBy: ca, days: -1)
        func start(_ certificate: String, _ key: String) async throws -> (Int32, String) {
            let (status, _, errors) = try await TclyProcess.run(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path + "/engine",
                                                                 "--encoder", "simulate", "--tls-cert", certificate, "--tls-key", key],
                                                                seconds: 60)
            return (status, errors)
        }
        let (mismatch, mismatchError) = try await start(good.certificateFile, other.keyFile)
        #expect(mismatch == 1)
        #expect(mismatchError == "tcly: the key in \(other.keyFile) does not match the certificate in \(good.certificateFile); give --tls-key the key the certificate was issued for\n")
        let (old, oldError) = try await start(expired.certificateFile, expired.keyFile)
        #expect(old == 1)
        #expect(oldError.hasPrefix("tcly: the certificate in \(expired.certificateFile) expired on "), "\(oldError)")
        #expect(oldError.hasSuffix("; renew it\n") && oldError.split(separator: "\n").count == 1)
        let (absent, absentError) = try await start(data.path + "/none.pem", good.keyFile)
        #expect(absent == 1 && absentError == "tcly: --tls-cert \(data.path)/none.pem: no such file\n")
        let (notPEM, notPEMError) = try await start(good.certificateFile, data.path + "/pki/server.ext")
        #expect(notPEM == 1 && notPEMError.hasPrefix("tcly: \(data.path)/pki/server.ext holds no unencrypted PEM private key"), "\(notPEMError)")
        // Nothing was started: no data directory was made.
        #expect(!FileManager.default.fileExists(atPath: data.path + "/engine"))
    }

    @Test func plainHTTPBeyondLoopbackRefusesToStartAndSaysWhatToDo() async throws {
        let data = try TemporaryDirectory("tls")
        defer { data.remove() }
        // Refused before anything binds: no traffic leaves loopback.
        for address in ["0.0.0.0", "[::]"] {
            let (status, _, errors) = try await TclyProcess.run(["serve", "--listen", "\(address):\(freePort())", "--data", data.path + "/engine",
                                                                 "--encoder", "simulate"], seconds: 60)
            #expect(status == 1)
            #expect(errors.hasPrefix("tcly: --listen ") && errors.contains("is reachable beyond this machine"), "\(errors)")
            #expect(errors.contains("--tls-cert FILE --tls-key FILE") && errors.contains("--insecure-http"))
            #expect(errors.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: data.path + "/engine"))
    }

    @Test func aCertificateReplacedWhileServingIsPickedUpAndABadOneIsNot() async throws {
        let data = try TemporaryDirectory("tls")
        defer { data.remove() }
        let certificates = try TestCertificates(in: data.url.appendingPathComponent("pki"))
        let first = try await certificates.authority("first")
        let second = try await certificates.authority("second")
        let old = try await certificates.server("old", signedBy: first)
        let renewed = try await certificates.server("renewed", signedBy: second)
        let stranger = try await certificates.server("stranger", signedBy: second)
        // The server reads these two paths; the test replaces them as a renewal would (rename).
        let live = TestCertificates.Server(certificateFile: data.path + "/live.pem", keyFile: data.path + "/live.key")
        func install(_ certificate: String, _ key: String) throws {
            for (from, to) in [(certificate, live.certificateFile), (key, live.keyFile)] {
                let staged = to + ".new"
                try? FileManager.default.removeItem(atPath: staged)
                try FileManager.default.copyItem(atPath: from, toPath: staged)
                guard rename(staged, to) == 0 else { throw TclyProcessError("cannot rename \(staged)") }
            }
        }
        try install(old.certificateFile, old.keyFile)
        let (tcly, url) = try await serve(data, live)
        defer { tcly.program.signal(SIGTERM) }
        func trusted(by ca: TestCertificates.Authority) async throws -> Bool {
            try await curl(["--cacert", ca.certificateFile, "-o", "/dev/null", url + "/healthz"]).0 == 0
        }
        #expect(try await trusted(by: first))
        #expect(try await !trusted(by: second))

        try install(renewed.certificateFile, renewed.keyFile)
        try await tcly.program.wait(seconds: 30, for: "the reload") { _, errors in errors.contains("reloaded the TLS certificate") }
        #expect(try await trusted(by: second))
        #expect(try await !trusted(by: first))

        // A half-done replacement (the key of another certificate) is refused; the renewed pair stays.
        try install(stranger.certificateFile, renewed.keyFile)
        try await tcly.program.wait(seconds: 30, for: "the rejection") { _, errors in
            errors.contains("kept serving the previous TLS certificate: the key in \(live.keyFile) does not match")
        }
        #expect(try await trusted(by: second))
        // SIGHUP looks at once rather than ending the server.
        try install(old.certificateFile, old.keyFile)
        tcly.program.signal(SIGHUP)
        try await tcly.program.wait(seconds: 30, for: "the second reload") { _, errors in
            errors.components(separatedBy: "reloaded the TLS certificate").count == 3
        }
        #expect(!tcly.program.hasExited)
        #expect(try await trusted(by: first))
    }

    @Test func metricsWithATokenAnswerOnlyTheBearerAndTheDataDirectoryIsOwnerOnly() async throws {
        let data = try TemporaryDirectory("tls")
        defer { data.remove() }
        let token = "metrics-" + UUID().uuidString
        let tcly = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path + "/engine", "--encoder", "simulate"],
                                   environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": org, "TRANSCODELY_METRICS_TOKEN": token])
        defer { tcly.program.signal(SIGTERM) }
        let url = try await tcly.waitForListening()
        let (_, without, _) = try await curl(["-o", "/dev/null", "-w", "%{http_code}", url + "/metrics"])
        #expect(without == "401")
        let (_, wrong, _) = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer nope", url + "/metrics"])
        #expect(wrong == "401")
        let (_, right, _) = try await curl(["-H", "Authorization: Bearer \(token)", url + "/metrics"])
        #expect(right.contains("tcly_jobs"))
        #expect(!tcly.program.output.contains(token) && !tcly.program.errors.contains(token))

        // A fresh data directory: 0700, and every file the engine keeps in it 0600.
        func mode(_ path: String) -> Int? {
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : nil
        }
        let engine = data.path + "/engine"
        #expect(mode(engine) == 0o700)
        for file in ["engine.sqlite", "engine.sqlite-wal", "engine.sqlite-shm", "engine.lock", "secrets.key"] {
            #expect(mode(engine + "/" + file) == 0o600, "\(file): \(String(mode(engine + "/" + file) ?? -1, radix: 8))")
        }
        // An existing directory other users can read gets a warning naming the fix.
        let open = data.path + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o755)
        let second = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", open, "--encoder", "simulate"],
                                     environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": org])
        defer { second.program.signal(SIGTERM) }
        _ = try await second.waitForListening()
        #expect(second.program.errors.contains("tcly: warning: data directory \(open) is open to other users (mode 755); run chmod 700 \(open)"))
        #expect(mode(open + "/engine.sqlite") == 0o600)
    }

    /// The official Connect Python client (`pip install connectrpc`): JSON codec, messages as
    /// well-known types (the API has no .proto files), the test's CA given to its HTTP transport.
    static let connectPython = """
        import json, sys
        import pyqwest
        from connectrpc.client import ConnectClientSync
        from connectrpc.codec import proto_json_codec
        from connectrpc.errors import ConnectError
        from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType
        from protobuf.wkt.google.protobuf.empty_pb import Empty
        from protobuf.wkt.google.protobuf.struct_pb import Struct
        url, ca, key, org = sys.argv[1:5]
        transport = pyqwest.SyncHTTPTransport(tls_ca_cert=open(ca, "rb").read()) if ca != "-" else pyqwest.SyncHTTPTransport(tls_include_system_certs=True)
        method = MethodInfo(name="List", service_name="transcodely.v1.OriginService", input=Empty, output=Struct,
                            idempotency_level=IdempotencyLevel.UNKNOWN, stream_type=StreamType.UNARY)
        with ConnectClientSync(url, codec=proto_json_codec(), http_client=pyqwest.SyncClient(transport)) as client:
            try:
                reply = client.execute_unary(request=Empty(), method=method,
                                             headers={"Authorization": "Bearer " + key, "X-Organization-ID": org})
            except ConnectError as error:
                print(error.code.name, error.message)
                sys.exit(3)
            print(" ".join(sorted(origin["id"] for origin in json.loads(reply.to_json())["origins"])))
        """

    /// The Connect Python client is installed by scripts/test; without it this test fails (it
    /// is never skipped), naming what to install.
    @Test func theConnectPythonClientCallsOverTLSTrustingTheCA() async throws {
        let probe = try ChildProgram("python3", ["-c", "import connectrpc, pyqwest"])
        let installed = try await probe.exit(seconds: 60) == 0
        try #require(installed, "the Connect Python client is missing: scripts/test installs it (python3 -m pip install connectrpc==0.13.0)")
        let data = try TemporaryDirectory("tls")
        defer { data.remove() }
        let certificates = try TestCertificates(in: data.url.appendingPathComponent("pki"))
        let ca = try await certificates.authority()
        let (tcly, url) = try await serve(data, try await certificates.server(signedBy: ca))
        defer { tcly.program.signal(SIGTERM) }
        func python(_ ca: String) async throws -> (Int32, String) {
            let program = try ChildProgram("python3", ["-c", Self.connectPython, url, ca, key, org])
            let status = try await program.exit(seconds: 60)
            return (status, program.output + program.errors)
        }
        let (trusted, origins) = try await python(ca.certificateFile)
        #expect(trusted == 0 && origins == "ori_local_input ori_local_output\n", "\(origins)")
        // With the system store only, it refuses the certificate: a Connect `unavailable`.
        let (untrusted, refusal) = try await python("-")
        #expect(untrusted == 3 && refusal.hasPrefix("UNAVAILABLE ") && refusal.contains("certificate"), "\(refusal)")
    }
}
