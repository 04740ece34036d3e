import Foundation
import TranscodelyAPI
import TranscodelyTestSupport
@testable import TranscodelyEngine

/// An engine on a temporary data directory, its workers running, for one test.
struct EngineFixture {
    let data: URL
    let engine: Engine
    let caller: AppIdentity
    let workers: Task<Void, any Error>

    init(data: URL? = nil, spec: String = "probe=0,encode=0.2", encoder: (any MediaEncoder)? = nil,
         workers: Int = 2, run: Bool = true) async throws {
        let folder = data ?? URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("engine-\(UUID().uuidString.prefix(8))")
        self.data = folder
        var configuration = Engine.Configuration(dataDirectory: folder)
        configuration.encoder = try encoder ?? SimulatedEncoder(spec: try SimulatedEncoder.Spec(parsing: spec))
        configuration.workers = workers
        engine = try Engine(configuration)
        if try await !engine.store.hasApps() {
            _ = try await engine.store.createApp(orgID: "org_a", name: "default", tier: .unlimited, key: "tk_fixture_key_0001")
        }
        caller = try await engine.authenticate(key: "tk_fixture_key_0001", orgID: "org_a")
        let engine = engine
        self.workers = Task { if run { try await engine.run() } }
    }

    func input(_ name: String, _ contents: String = "media") throws {
        let url = data.appendingPathComponent("origins/input/\(name)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    func request(_ path: String, key: String? = nil, priority: Priority = .standard) -> CreateJobRequest {
        CreateJobRequest(inputOriginID: Engine.localInput, inputPath: path, outputOriginID: Engine.localOutput,
                         idempotencyKey: key, priority: priority,
                         outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])])
    }

    func create(_ path: String, key: String? = nil, priority: Priority = .standard, outputs: [OutputSpec]? = nil) async throws -> Job {
        var request = request(path, key: key, priority: priority)
        if let outputs { request.outputs = outputs }
        switch try await engine.createJob(request, by: caller) {
        case let .created(job), let .replayed(job): return job
        case .conflict: throw ConnectError(.alreadyExists, "conflict")
        }
    }

    /// Polls until the job has ended (at most `seconds`).
    func finished(_ id: String, seconds: Double = 20) async throws -> Job {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let job = try await engine.job(id: id, by: caller)
            if job.status.isTerminal { return job }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ConnectError(.deadlineExceeded, "job \(id) did not end in \(seconds) s")
    }

    /// Stops the workers and waits for them; `with` calls it.
    func stop() async {
        workers.cancel()
        _ = try? await workers.value
    }

    /// Runs `body` with a fresh fixture and always stops it (awaited), also when `body` throws.
    static func with<Result>(data: URL? = nil, spec: String = "probe=0,encode=0.2", encoder: (any MediaEncoder)? = nil,
                             workers: Int = 2, run: Bool = true,
                             _ body: (EngineFixture) async throws -> Result) async throws -> Result {
        try await scoped(try await EngineFixture(data: data, spec: spec, encoder: encoder, workers: workers, run: run),
                         stop: { await $0.stop() }, body)
    }
}
