import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyTestSupport

/// Several nodes' stores on one new database of the test cluster, sharing one `secrets.key`, with
/// one app (`org_t`/`app`, standard tier) to create jobs with: what N engines of a deployment
/// would have, without their HTTP servers.
struct SharedStoreFixture {
    let database: PostgresURL
    let nodes: [PostgresEngineStore]
    let app: AppIdentity
    let key: String
    let folder: TemporaryDirectory

    /// Leases of 1 s renewed every 0.3 s: expiries a test can wait for.
    static var shortLeases: LeaseSettings {
        var settings = LeaseSettings()
        settings.lease = .seconds(1)
        settings.heartbeat = .milliseconds(300)
        return settings
    }

    /// Runs `body` with `count` nodes named n1, n2, …, and always closes them and drops the database.
    static func with<Result: Sendable>(_ count: Int, settings: LeaseSettings = LeaseSettings(), clock: TimeSource = .system,
                                       _ body: (SharedStoreFixture) async throws -> Result) async throws -> Result {
        try await TestPostgres.withFreshDatabase { database in
            let folder = try TemporaryDirectory("shared-store")
            defer { folder.remove() }
            var nodes: [PostgresEngineStore] = []
            defer { for node in nodes { node.close() } }
            for index in 1...count {
                nodes.append(try await PostgresEngineStore.open(database, node: "n\(index)", secretsKey: folder.url.appendingPathComponent("secrets.key"), clock: clock,
                                                                settings: settings, maximumConnections: 8, logger: TestPostgres.logger))
            }
            let (_, key) = try await nodes[0].createApp(orgID: "org_t", name: "app", tier: .standard)
            guard let app = try await nodes[0].identity(forKey: key) else { throw ConnectError.internalError("the new key has no app") }
            return try await body(SharedStoreFixture(database: database, nodes: nodes, app: app, key: key, folder: folder))
        }
    }

    /// A create of `path` by the fixture's app.
    func create(_ path: String, key: String? = nil, priority: Priority = .standard, metadata: [String: String] = [:]) -> NewJob {
        NewJob(orgID: app.orgID, appID: app.appID, request: CreateJobRequest(
            inputOriginID: Engine.localInput, inputPath: path, outputOriginID: Engine.localOutput, idempotencyKey: key,
            priority: priority, metadata: metadata, outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])]))
    }

    /// Creates one job through `node` and returns it.
    @discardableResult
    func insert(_ path: String, on node: Int = 0, priority: Priority = .standard) async throws -> Job {
        guard case let .created(job) = try await nodes[node].insert([create(path, priority: priority)])[0] else {
            throw ConnectError.internalError("\(path) was not created")
        }
        return job
    }

    /// One value of a query on the fixture's database (for what no store call shows, as lease expiries).
    func value<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T {
        try await TestPostgres.rows(query, in: database)[0].decode(T.self)
    }
}


/// What a node's `maintain` told its engine, for a test to wait on.
final class HeardSignals: Sendable {
    let lost = Mutex<[String]>([])
    let queued = Mutex(0)

    var signals: StoreSignals {
        StoreSignals(workQueued: { self.queued.withLock { $0 += 1 } }, leaseLost: { id in self.lost.withLock { $0.append(id) } })
    }
}
