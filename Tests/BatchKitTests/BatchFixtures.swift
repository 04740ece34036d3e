import Foundation
import Timekeeping
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import TranscodelyTestSupport
@testable import BatchKit

/// A real engine (simulate encoder) on a loopback port, and a client of it.
struct BatchFixtures {
    let data: TemporaryDirectory
    let local: LocalEngine
    let transport: ConnectTransport
    let jobs: HTTPJobServiceClient
    let api: APICaller

    /// The engine's HTTP server (its port, for proxies in front of it).
    var server: RunningServer { local.server }

    static func request(_ path: String, key: String? = nil) -> CreateJobRequest {
        CreateJobRequest(inputOriginID: Engine.localInput, inputPath: path, outputOriginID: Engine.localOutput,
                         idempotencyKey: key,
                         outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])])
    }

    init(tier: Tier = .standard, spec: String = "probe=0,encode=0.05", workers: Int = 4, retry: RetryPolicy = RetryPolicy(),
         clock: TimeSource = .system) async throws {
        data = try TemporaryDirectory("batch")
        var configuration = LocalEngine.Configuration(dataDirectory: data.url)
        configuration.encoder = .simulate(try SimulatedEncoder.Spec(parsing: spec))
        configuration.workers = workers
        configuration.tier = tier
        configuration.clock = clock
        configuration.apps = .fixed([.init(organizationID: "org_batch", name: "batch", key: "tk_batch_tests_00001")])
        do { local = try await LocalEngine.start(configuration) } catch {
            data.remove()
            throw error
        }
        transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: local.baseURL, apiKey: APIKey("tk_batch_tests_00001"), organizationID: "org_batch", retry: retry))
        jobs = HTTPJobServiceClient(transport)
        api = APICaller(baseURL: local.baseURL, key: "tk_batch_tests_00001", org: "org_batch")
    }

    /// Runs `body` with a fresh fixture and always stops it (awaited), also when `body` throws.
    static func with<Result>(tier: Tier = .standard, spec: String = "probe=0,encode=0.05", workers: Int = 4,
                             retry: RetryPolicy = RetryPolicy(), clock: TimeSource = .system,
                             _ body: (BatchFixtures) async throws -> Result) async throws -> Result {
        try await scoped(try await BatchFixtures(tier: tier, spec: spec, workers: workers, retry: retry, clock: clock),
                         stop: { await $0.stop() }, body)
    }

    /// `count` input files and one batch item each, keyed `{batch}_{name}`.
    func items(_ count: Int, batch: String = "b1", prefix: String = "clip", corrupt: Set<Int> = []) throws -> [BatchItem] {
        let template = try KeyTemplate("{batch}_{name}")
        return try (0..<count).map { index in
            let name = corrupt.contains(index) ? "\(prefix)-\(index)-corrupt.mp4" : "\(prefix)-\(index).mp4"
            try data.write("origins/input/\(name)", "media")
            var request = Self.request(name)
            request.metadata = ["batch_id": batch]
            request.idempotencyKey = try template.key(for: .init(path: name, date: "d", batch: batch, index: index))
            return BatchItem(index: index, request: request)
        }
    }

    /// A metric's value from the server's /metrics.
    func metric(_ line: String) async throws -> Double {
        let text = try await api.get("/metrics").text
        for row in text.split(separator: "\n") where row.hasPrefix(line + " ") {
            return Double(row.dropFirst(line.count + 1)) ?? -1
        }
        return 0
    }

    /// Every job of the organization, as last listed. (A job that changes while the pages are
    /// read shows up again later in the order: the latest copy wins.)
    func allJobs() async throws -> [Job] {
        var all: [String: Job] = [:]
        var token = ""
        repeat {
            let page = try await jobs.list(ListJobsRequest(pageSize: 1000, pageToken: token))
            for job in page.jobs { all[job.id] = job }
            token = page.nextPageToken
        } while !token.isEmpty
        return Array(all.values)
    }

    /// A client of the same server with a key it does not know.
    func strangerJobs() -> HTTPJobServiceClient {
        HTTPJobServiceClient(ConnectTransport(configuration: ClientConfiguration(
            baseURL: local.baseURL, apiKey: APIKey("tk_nobody_knows_this"), organizationID: "org_batch", retry: .none)))
    }

    /// Stops the engine (awaited) and removes its data; `with` calls it.
    func stop() async {
        try? await local.stop()
        data.remove()
    }
}
