import Foundation
import PostgresStore
import Testing
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyServer
import TranscodelyTestSupport

/// What may be served where: plain HTTP only on loopback unless accepted, `/metrics` beyond
/// loopback only with a token, `/healthz` carrying the plain-HTTP warning, and the engine's files
/// kept to their owner. Servers here listen on 127.0.0.1 only; the policy for other addresses is
/// checked as the value the server would be started with.
@Suite(.timeLimit(.minutes(5))) struct SecurityPolicyTests {
    @Test func onlyLoopbackIsLoopback() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"] {
            #expect(ListenPolicy.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.1", "192.168.1.20", "fd00::1", "2001:db8::1"] {
            #expect(!ListenPolicy.isLoopback(host), "\(host)")
        }
    }

    @Test func plainHTTPBeyondLoopbackIsRefusedUnlessTLSOrAccepted() {
        #expect(ListenPolicy.refusal(host: "127.0.0.1", port: 8080, tls: false, insecureHTTP: false) == nil)
        let refusal = ListenPolicy.refusal(host: "0.0.0.0", port: 8080, tls: false, insecureHTTP: false)
        #expect(refusal?.contains("--tls-cert FILE --tls-key FILE") == true && refusal?.contains("--insecure-http") == true)
        #expect(ListenPolicy.refusal(host: "0.0.0.0", port: 8080, tls: true, insecureHTTP: false) == nil)
        #expect(ListenPolicy.refusal(host: "0.0.0.0", port: 8080, tls: false, insecureHTTP: true) == nil)
        #expect(ListenPolicy.warning(host: "0.0.0.0", tls: false, insecureHTTP: true) != nil)
        #expect(ListenPolicy.warning(host: "0.0.0.0", tls: true, insecureHTTP: true) == nil)
        #expect(ListenPolicy.warning(host: "127.0.0.1", tls: false, insecureHTTP: true) == nil)
    }

    /// A server on 127.0.0.1 with the access rule and health warning a non-loopback `--listen`
    /// would give it.
    func withServer(metrics: MetricsAccess, warning: String? = nil, _ body: (APICaller) async throws -> Void) async throws {
        let data = try TemporaryDirectory("policy")
        defer { data.remove() }
        let engine = try Engine(Engine.Configuration(dataDirectory: data.url))
        var server = TranscodelyHTTPServer(engine: engine, host: "127.0.0.1", port: 0)
        server.metricsAccess = metrics
        server.healthWarning = warning
        let running = try await RunningServer.start(server)
        do { try await body(APICaller(baseURL: running.baseURL, key: nil, org: nil)) } catch {
            try? await running.shutdown()
            throw error
        }
        try await running.shutdown()
    }

    @Test func metricsBeyondLoopbackWithoutATokenAre401() async throws {
        let beyond = MetricsAccess.policy(listeningOnLoopback: false, token: nil)
        try await withServer(metrics: beyond) { api in
            let reply = try await api.get("/metrics")
            #expect(reply.status == 401 && reply.code == "unauthenticated")
            #expect(reply.message.contains("--metrics-token"))
            #expect(reply.header("WWW-Authenticate") == "Bearer")
            #expect(try await api.get("/healthz").status == 200)
        }
        try await withServer(metrics: .policy(listeningOnLoopback: true, token: nil)) { api in
            let reply = try await api.get("/metrics")
            #expect(reply.status == 200)
        }
    }

    @Test func aMetricsTokenIsRequiredOnceGivenAndComparedWhole() async throws {
        try await withServer(metrics: .policy(listeningOnLoopback: false, token: "s3cret-token")) { api in
            #expect(try await api.get("/metrics").status == 401)
            for wrong in ["Bearer s3cret", "Bearer s3cret-token-more", "s3cret-token", "Basic s3cret-token"] {
                #expect(try await api.get("/metrics", headers: [("Authorization", wrong)]).status == 401, "\(wrong)")
            }
            let reply = try await api.get("/metrics", headers: [("Authorization", "Bearer s3cret-token")])
            #expect(reply.status == 200 && reply.text.contains("tcly_jobs"))
        }
    }

    @Test func healthzCarriesThePlainHTTPWarning() async throws {
        let warning = try #require(ListenPolicy.warning(host: "0.0.0.0", tls: false, insecureHTTP: true))
        try await withServer(metrics: .open, warning: warning) { api in
            let health = try await api.get("/healthz")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok" && health.json["warning"] as? String == warning)
        }
    }

    @Test func aNodeOfASharedStoreMakesItsDataDirectoryTheOwnersToo() async throws {
        // Its data directory holds secrets.key; it was once made with the umask's 0755.
        try await TestPostgres.withFreshDatabase { database in
            let parent = try TemporaryDirectory("modes-shared")
            defer { parent.remove() }
            let data = parent.url.appendingPathComponent("fresh")
            var configuration = LocalEngine.Configuration(dataDirectory: data)
            configuration.storage = .postgres(database, node: "modes", leases: LeaseSettings(), dataDirectory: data)
            configuration.encoder = .simulate(SimulatedEncoder.Spec())
            try await LocalEngine.with(configuration) { local in
                #expect(local.warnings.isEmpty, "\(local.warnings)")
                var info = stat()
                #expect(stat(data.path, &info) == 0 && info.st_mode & 0o777 == 0o700)
                #expect(stat(data.appendingPathComponent("secrets.key").path, &info) == 0 && info.st_mode & 0o777 == 0o600)
            }
        }
    }

    @Test func theEngineKeepsItsFilesToItsOwnerAndOutputsToTheUmask() async throws {
        let parent = try TemporaryDirectory("modes")
        defer { parent.remove() }
        let data = parent.url.appendingPathComponent("fresh")
        let engine = try Engine(Engine.Configuration(dataDirectory: data))
        #expect(engine.warnings.isEmpty)
        _ = try await engine.store.createApp(orgID: "org_m", name: "m", tier: .standard, key: "tk_modes_0000000001")
        func mode(_ url: URL) -> Int {
            var info = stat()
            return stat(url.path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
        }
        #expect(mode(data) == 0o700)
        for file in ["engine.sqlite", "engine.sqlite-wal", "engine.sqlite-shm", "engine.lock", "secrets.key"] {
            #expect(mode(data.appendingPathComponent(file)) == 0o600, "\(file)")
        }
        // The origins' folders are made as any folder of the user's is (the umask decides).
        let usual = parent.url.appendingPathComponent("usual")
        try FileManager.default.createDirectory(at: usual, withIntermediateDirectories: true)
        #expect(mode(data.appendingPathComponent("origins/output")) == mode(usual))

        // An older store, world-readable, is tightened; its directory gets a warning.
        let old = parent.url.appendingPathComponent("old")
        try FileManager.default.createDirectory(at: old, withIntermediateDirectories: true)
        chmod(old.path, 0o755)
        #expect(FileManager.default.createFile(atPath: old.appendingPathComponent("engine.sqlite").path, contents: nil))
        chmod(old.appendingPathComponent("engine.sqlite").path, 0o644)
        let reopened = try Engine(Engine.Configuration(dataDirectory: old))
        #expect(reopened.warnings == ["data directory \(old.path) is open to other users (mode 755); run chmod 700 \(old.path)"])
        #expect(mode(old.appendingPathComponent("engine.sqlite")) == 0o600)
        #expect(mode(old) == 0o755)
    }

    @Test func theAPISuiteRunsOverTLSWhenAsked() async throws {
        try await ServerFixture.with { f in
            #expect(f.a.baseURL.hasPrefix(ServerFixture.overTLS ? "https://" : "http://"))
            let reply = try await f.a.call("OriginService/List", "{}")
            #expect(reply.status == 200)
        }
    }
}
