import Foundation
import PostgresStore
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyServer
import TranscodelyTestSupport

/// A real engine and HTTP server on a loopback port with three apps: `a` and `a2` in org_a and
/// `b` in org_b. With `TCLY_TEST_TLS=1` in the environment the server serves HTTPS with a
/// certificate of a CA made for the fixture, and the callers trust that CA: the whole API suite
/// then runs over TLS (`TCLY_TEST_TLS=1 swift test --filter TranscodelyServerTests`). With
/// `TCLY_TEST_STORE=postgres` the engine keeps its state in a new PostgreSQL database of the test
/// cluster (`TCLY_TEST_POSTGRES_URL`) instead of SQLite, dropped when the fixture stops: the whole
/// API suite then runs against the shared store.
struct ServerFixture {
    let data: TemporaryDirectory
    /// The fixture's own database, with `TCLY_TEST_STORE=postgres`.
    let database: PostgresURL?
    let local: LocalEngine
    let a: APICaller
    let a2: APICaller
    let b: APICaller

    /// The engine's HTTP server.
    var server: RunningServer { local.server }

    /// `webhookCA`: a CA (PEM file) the engine trusts for https receivers besides the system store.
    init(tier: Tier = .unlimited, clock: TimeSource = .system, spec: String = "probe=0,encode=0.2", workers: Int = 2,
         webhookCA: String? = nil) async throws {
        data = try TemporaryDirectory("server")
        database = Self.onPostgres ? try await TestPostgres.freshDatabase() : nil
        var configuration = LocalEngine.Configuration(dataDirectory: data.url)
        if let database {
            configuration.storage = .postgres(database, node: "fixture", leases: LeaseSettings(), dataDirectory: data.url)
        }
        configuration.encoder = .simulate(try SimulatedEncoder.Spec(parsing: spec))
        configuration.workers = workers
        configuration.clock = clock
        configuration.tier = tier
        configuration.webhooks.caFile = webhookCA
        configuration.apps = .fixed([
            .init(organizationID: "org_a", name: "a", key: "tk_test_app_a_000001"),
            .init(organizationID: "org_a", name: "a2", key: "tk_test_app_a2_00001"),
            .init(organizationID: "org_b", name: "b", key: "tk_test_app_b_000001"),
        ])
        var caFile: String?
        if Self.overTLS {
            let certificates = try TestCertificates(in: data.url.appendingPathComponent("pki"))
            let ca = try await certificates.authority()
            let certificate = try await certificates.server(signedBy: ca)
            configuration.tls = .init(certificateFile: certificate.certificateFile, keyFile: certificate.keyFile)
            caFile = ca.certificateFile
        }
        do { local = try await LocalEngine.start(configuration) } catch {
            data.remove()
            if let database { try? await TestPostgres.drop(database) }
            throw error
        }
        a = APICaller(baseURL: local.baseURL, key: "tk_test_app_a_000001", org: "org_a", caFile: caFile)
        a2 = APICaller(baseURL: local.baseURL, key: "tk_test_app_a2_00001", org: "org_a", caFile: caFile)
        b = APICaller(baseURL: local.baseURL, key: "tk_test_app_b_000001", org: "org_b", caFile: caFile)
        do { try data.write("origins/input/a.mp4", "media") } catch {
            try? await local.stop()
            data.remove()
            if let database { try? await TestPostgres.drop(database) }
            throw error
        }
    }

    /// Whether the suite runs against PostgreSQL (`TCLY_TEST_STORE=postgres`).
    static let onPostgres = ProcessInfo.processInfo.environment["TCLY_TEST_STORE"] == "postgres"

    /// Whether the suite runs over TLS (`TCLY_TEST_TLS=1`).
    static let overTLS = ProcessInfo.processInfo.environment["TCLY_TEST_TLS"] == "1"

    /// Stops the engine (awaited) and removes its data; `with` calls it.
    func stop() async {
        try? await local.stop()
        data.remove()
        if let database { try? await TestPostgres.drop(database) }
    }

    /// Runs `body` with a fresh fixture and always stops it (awaited), also when `body` throws.
    static func with<Result>(tier: Tier = .unlimited, clock: TimeSource = .system, spec: String = "probe=0,encode=0.2",
                             workers: Int = 2, webhookCA: String? = nil,
                             _ body: (ServerFixture) async throws -> Result) async throws -> Result {
        try await scoped(try await ServerFixture(tier: tier, clock: clock, spec: spec, workers: workers, webhookCA: webhookCA),
                         stop: { await $0.stop() }, body)
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
