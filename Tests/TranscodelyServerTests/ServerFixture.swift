import Foundation
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyServer
import TranscodelyTestSupport

/// A real engine and HTTP server on a loopback port with three apps: `a` and `a2` in org_a and
/// `b` in org_b. With `TCLY_TEST_TLS=1` in the environment the server serves HTTPS with a
/// certificate of a CA made for the fixture, and the callers trust that CA: the whole API suite
/// then runs over TLS (`TCLY_TEST_TLS=1 swift test --filter TranscodelyServerTests`).
struct ServerFixture {
    let data: TemporaryDirectory
    let server: RunningServer
    let a: APICaller
    let a2: APICaller
    let b: APICaller

    /// `webhookCA`: a CA (PEM file) the engine trusts for https receivers besides the system store.
    init(tier: Tier = .unlimited, clock: EngineClock = .system, spec: String = "probe=0,encode=0.2", workers: Int = 2,
         webhookCA: String? = nil) async throws {
        data = try TemporaryDirectory("server")
        var configuration = Engine.Configuration(dataDirectory: data.url)
        configuration.encoder = SimulatedEncoder(spec: try SimulatedEncoder.Spec(parsing: spec))
        configuration.workers = workers
        configuration.clock = clock
        configuration.webhooks.retryScale = 0.001
        configuration.webhooks.caFile = webhookCA
        let engine = try Engine(configuration)
        _ = try await engine.store.createApp(orgID: "org_a", name: "a", tier: tier, key: "tk_test_app_a_000001")
        _ = try await engine.store.createApp(orgID: "org_a", name: "a2", tier: tier, key: "tk_test_app_a2_00001")
        _ = try await engine.store.createApp(orgID: "org_b", name: "b", tier: tier, key: "tk_test_app_b_000001")
        var http = TranscodelyHTTPServer(engine: engine, host: "127.0.0.1", port: 0)
        var caFile: String?
        if Self.overTLS {
            let certificates = try TestCertificates(in: data.url.appendingPathComponent("pki"))
            let ca = try await certificates.authority()
            let certificate = try await certificates.server(signedBy: ca)
            http.tls = try ReloadableCertificate(certificateFile: certificate.certificateFile, keyFile: certificate.keyFile)
            caFile = ca.certificateFile
        }
        server = try await RunningServer.start(http)
        a = APICaller(baseURL: server.baseURL, key: "tk_test_app_a_000001", org: "org_a", caFile: caFile)
        a2 = APICaller(baseURL: server.baseURL, key: "tk_test_app_a2_00001", org: "org_a", caFile: caFile)
        b = APICaller(baseURL: server.baseURL, key: "tk_test_app_b_000001", org: "org_b", caFile: caFile)
        try data.write("origins/input/a.mp4", "media")
    }

    /// Whether the suite runs over TLS (`TCLY_TEST_TLS=1`).
    static let overTLS = ProcessInfo.processInfo.environment["TCLY_TEST_TLS"] == "1"

    /// Stops the server and removes its data.
    func stop() async {
        try? await server.shutdown()
        data.remove()
    }

    /// Runs `body` with a fresh fixture and always stops it.
    static func with(tier: Tier = .unlimited, clock: EngineClock = .system, spec: String = "probe=0,encode=0.2",
                     _ body: (ServerFixture) async throws -> Void) async throws {
        let fixture = try await ServerFixture(tier: tier, clock: clock, spec: spec)
        do { try await body(fixture) } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    /// Polls Get until the job has ended.
    func finished(_ id: String, _ caller: APICaller? = nil) async throws -> Job {
        let caller = caller ?? a
        for _ in 0..<1000 {
            let job = try await caller.call("JobService/Get", #"{"id":"\#(id)"}"#).decode(JobResponse.self).job
            if job.status.isTerminal { return job }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ConnectError(.deadlineExceeded, "job \(id) did not end")
    }
}
