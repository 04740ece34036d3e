import Foundation
import Listening
import Testing
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyServer
import TranscodelyTestSupport

/// LocalEngine, the one way to run an engine in a process: which apps a start makes, what a busy
/// port or a refused address throws (by code), and that `with` leaves nothing running.
@Suite(.timeLimit(.minutes(5))) struct LocalEngineTests {
    func configuration(_ data: TemporaryDirectory) -> LocalEngine.Configuration {
        var configuration = LocalEngine.Configuration(dataDirectory: data.url)
        configuration.encoder = .simulate(SimulatedEncoder.Spec())
        return configuration
    }

    func caller(_ local: LocalEngine, _ credentials: LocalEngine.Credentials?) -> APICaller {
        APICaller(baseURL: local.baseURL, key: credentials?.apiKey, org: credentials?.organizationID)
    }

    @Test func aFirstStartAdoptsTheGivenKeyOnceAndALaterStartCreatesNothing() async throws {
        let data = try TemporaryDirectory("local-adopt")
        defer { data.remove() }
        let given = LocalEngine.Credentials(organizationID: "org_given", apiKey: "tk_given_by_the_env_01")
        var configuration = configuration(data)
        configuration.tier = .premium
        configuration.apps = .firstStart(adopting: given)
        try await LocalEngine.with(configuration) { local throws in
            #expect(local.credentials == given)
            let created = try #require(local.created)
            #expect(created.adopted && created.generatedKey == nil && created.organizationID == "org_given" && created.tier == .premium)
            #expect(try await caller(local, given).call("JobService/List", "{}").status == 200)
        }
        try await LocalEngine.with(configuration) { local throws in
            #expect(local.created == nil && local.credentials == nil)
            #expect(try await caller(local, given).call("JobService/List", "{}").status == 200)
        }
    }

    @Test func aFirstStartWithoutAKeyGeneratesOneInOrgLocal() async throws {
        let data = try TemporaryDirectory("local-generate")
        defer { data.remove() }
        try await LocalEngine.with(configuration(data)) { local in
            let created = try #require(local.created)
            let key = try #require(created.generatedKey)
            #expect(!created.adopted && created.organizationID == "org_local")
            #expect(local.credentials == LocalEngine.Credentials(organizationID: "org_local", apiKey: key))
            #expect(try await caller(local, local.credentials).call("JobService/List", "{}").status == 200)
            #expect(!"\(try #require(local.credentials))".contains(key))
        }
    }

    @Test func anIssuedKeyIsNewOnEveryStartAndRevokesTheLastOne() async throws {
        let data = try TemporaryDirectory("local-issue")
        defer { data.remove() }
        var configuration = configuration(data)
        configuration.apps = .issue(organizationID: "org_local", appName: "shell")
        let first = try await LocalEngine.with(configuration) { local in try #require(local.credentials) }
        try await LocalEngine.with(configuration) { local throws in
            let second = try #require(local.credentials)
            #expect(second.apiKey != first.apiKey && second.organizationID == "org_local")
            #expect(try await caller(local, second).call("JobService/List", "{}").status == 200)
            #expect(try await caller(local, first).call("JobService/List", "{}").status == 401)
        }
    }

    @Test func aBusyPortIsAddressInUseByCode() async throws {
        let one = try TemporaryDirectory("local-busy-1"), two = try TemporaryDirectory("local-busy-2")
        defer { one.remove(); two.remove() }
        try await LocalEngine.with(configuration(one)) { running throws in
            var second = configuration(two)
            second.port = running.server.port
            do throws(LocalEngineError) {
                let unexpected = try await LocalEngine.start(second)
                try? await unexpected.stop()
                Issue.record("a second engine listened on a busy port")
            } catch {
                #expect(error.code == .addressInUse)
                #expect((error.underlying as? ListenError)?.code == .addressInUse)
                #expect(error.message == "127.0.0.1:\(running.server.port) is already in use")
            }
            // The first one still answers.
            #expect(try await APICaller(baseURL: running.baseURL, key: nil, org: nil).get("/healthz").status == 200)
        }
    }

    @Test func plainHTTPBeyondLoopbackIsRefusedBeforeAnythingStarts() async throws {
        let data = try TemporaryDirectory("local-refused")
        defer { data.remove() }
        var configuration = configuration(data)
        configuration.host = "0.0.0.0"
        let refusal = await #expect(throws: LocalEngineError.self) { try await LocalEngine.start(configuration) }
        #expect(refusal?.code == .listenRefused)
        #expect(!FileManager.default.fileExists(atPath: data.url.appendingPathComponent("engine.sqlite").path))
    }

    @Test func withStopsTheEngineWhenTheBodyThrows() async throws {
        let data = try TemporaryDirectory("local-throws")
        defer { data.remove() }
        struct Planned: Error {}
        await #expect(throws: Planned.self) {
            try await LocalEngine.with(configuration(data)) { local in
                #expect(try await APICaller(baseURL: local.baseURL, key: nil, org: nil).get("/healthz").status == 200)
                throw Planned()
            }
        }
        // Stopped before `with` returned: another engine opens the same data directory at once (a
        // running engine holds its lock, `engine.lock`) and serves. Not its port: under the full
        // parallel suite the freed port was seen given at once to another test's server, which
        // then answered there (the 2 s allowance of an earlier version did not help).
        try await LocalEngine.with(configuration(data)) { local throws in
            let health = try await APICaller(baseURL: local.baseURL, key: nil, org: nil).get("/healthz")
            #expect(health.status == 200)
        }
    }
}
