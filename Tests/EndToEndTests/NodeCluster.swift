import Foundation
import PostgresNIO
import PostgresStore
import Synchronization
import TranscodelyAPI
import TranscodelyTestSupport

/// N `tcly serve --store postgres://…` processes on one database, as a deployment runs them: each
/// node its own data directory (with the first node's `secrets.key` copied in) and port, all of
/// them the same shared origins (`ori_shared_in`, `ori_shared_out`) and the same app.
final class NodeCluster: Sendable {
    static let key = "tk_cluster_test_key_0001"
    static let org = "org_cluster"

    let database: PostgresURL
    let root: TemporaryDirectory
    let serveArguments: [String]
    private let state = Mutex<[Int: (process: TclyProcess, url: String)]>([:])

    /// The shared input folder (`ori_shared_in`) and output folder (`ori_shared_out`).
    var input: URL { root.url.appendingPathComponent("shared/in") }
    var output: URL { root.url.appendingPathComponent("shared/out") }

    /// `serve`: what every node runs besides store, node, data, listen and origins (encoder, workers, leases).
    init(database: PostgresURL, serve: [String]) throws {
        self.database = database
        root = try TemporaryDirectory("cluster")
        serveArguments = serve
        for folder in [input, output] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
    }

    /// Runs `body` with a cluster on a new database of the test cluster, and always stops its nodes
    /// (awaited) and drops the database, also when `body` throws.
    static func with<Result: Sendable>(serve: [String], _ body: (NodeCluster) async throws -> Result) async throws -> Result {
        try await TestPostgres.withFreshDatabase { database in
            try await scoped(try NodeCluster(database: database, serve: serve), stop: { await $0.stop() }, body)
        }
    }

    /// Starts node `index` (named `n<index>`) and waits until it listens; its earlier process, if
    /// any, must have ended.
    @discardableResult
    func start(_ index: Int) async throws -> String {
        let data = root.url.appendingPathComponent("node\(index)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        _ = chmod(data.path, 0o700)
        let first = root.url.appendingPathComponent("node1/secrets.key")
        let mine = data.appendingPathComponent("secrets.key")
        if index != 1, FileManager.default.fileExists(atPath: first.path), !FileManager.default.fileExists(atPath: mine.path) {
            try FileManager.default.copyItem(at: first, to: mine)
        }
        let process = try TclyProcess(["serve", "--store", database.description, "--node", "n\(index)",
                                       "--data", data.path, "--listen", "127.0.0.1:\(freePort())",
                                       "--origin", "ori_shared_in=\(input.path)", "--origin", "ori_shared_out=\(output.path)"] + serveArguments,
                                      environment: ["TRANSCODELY_API_KEY": Self.key, "TRANSCODELY_ORG_ID": Self.org])
        let url: String
        do { url = try await process.waitForListening() } catch {
            process.program.signal(SIGKILL)
            throw TclyProcessError("node n\(index) did not start: \(error)\n\(process.program.errors)")
        }
        state.withLock { $0[index] = (process, url) }
        return url
    }

    /// The API as the cluster's app calls it through node `index`.
    func caller(_ index: Int) -> APICaller {
        APICaller(baseURL: state.withLock { $0[index]?.url } ?? "http://127.0.0.1:9", key: Self.key, org: Self.org)
    }

    /// Creates a job of `path` in the shared origins through node `index`.
    func create(_ path: String, key: String? = nil, through index: Int) async throws -> APICaller.Reply {
        let keyField = key.map { #","idempotency_key":"\#($0)""# } ?? ""
        return try await caller(index).call("JobService/Create", """
            {"input_origin_id":"ori_shared_in","input_path":"\(path)","output_origin_id":"ori_shared_out",\
            "outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]\(keyField)}
            """)
    }

    func process(_ index: Int) -> TclyProcess? { state.withLock { $0[index]?.process } }

    /// Stops every node (SIGCONT first, for one left stopped), removes the folders.
    func stop() async {
        let processes = state.withLock { $0.values.map(\.process) }
        for process in processes {
            process.program.signal(SIGCONT)
            try? await process.kill(SIGTERM)
        }
        root.remove()
    }

    /// Rows of a query on the cluster's database.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await TestPostgres.rows(query, in: database)
    }

    /// The count a `SELECT count(*) …` gives.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await rows(query)[0].decode(Int.self)
    }
}
