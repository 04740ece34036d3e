import ArgumentParser
import Foundation
import ShellKit
import Synchronization
import TranscodelyAPI
import TranscodelyClient
import TranscodelyShell

/// For scripts/bench/watch: a shell submits N jobs and `watch`es them (pushed by webhooks, or
/// polled), and each job's end → display latency is taken as the time its `completed` line was
/// printed minus the job's `completed_at` (the same machine's clock). Also counts the List
/// requests per polling tick.
struct WatchLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch-latency")

    @OptionGroup var connection: BenchCommand.Connection
    @Option var jobs = 1000
    @Option(help: "webhook or poll.") var mode = "webhook"
    @Option var interval = 1.0
    @Option(help: "Input names are PREFIX-INDEX.mp4.") var prefix = "clip"

    /// Counts List calls, and ticks as Lists that start a new pass (no page token).
    final class Counting: JobServiceClient {
        let base: HTTPJobServiceClient
        let counts = Mutex((lists: 0, ticks: 0))
        init(_ base: HTTPJobServiceClient) { self.base = base }
        func create(_ request: CreateJobRequest) async throws(ClientError) -> CreateResult { try await base.create(request) }
        func get(id: String) async throws(ClientError) -> Job { try await base.get(id: id) }
        func cancel(id: String) async throws(ClientError) -> Job { try await base.cancel(id: id) }
        func log(id: String) async throws(ClientError) -> JobLog { try await base.log(id: id) }
        func list(_ request: ListJobsRequest) async throws(ClientError) -> ListJobsResponse {
            counts.withLock { counts in
                counts.lists += 1
                if request.pageToken?.isEmpty ?? true { counts.ticks += 1 }
            }
            return try await base.list(request)
        }
    }

    func run() async throws {
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: connection.url, apiKey: APIKey(connection.key), organizationID: connection.org))
        let counting = Counting(HTTPJobServiceClient(transport))
        let context = TranscodelyContext(jobs: counting, origins: HTTPOriginServiceClient(transport),
                                         webhooks: HTTPWebhookServiceClient(transport), session: try ShellSession(journal: nil))
        let seen = Mutex<[(Double, String)]>([])
        let output = ShellOutput(write: { text in
            let now = Date().timeIntervalSince1970
            seen.withLock { $0.append((now, text)) }
        }, writeError: { FileHandle.standardError.write(Data($0.utf8)) })
        let shell = TranscodelyCommands.shell(context, output: output)
        if mode == "webhook" {
            guard await shell.run("listen 0") == 0 else { throw ValidationError("listen failed") }
        }
        guard await shell.run("batch '\(prefix)-*.mp4' --name bench --rate 5000 --burst 5000 --concurrency 64") == 0 else {
            throw ValidationError("batch failed")
        }
        let watchStart = Date().timeIntervalSince1970
        let watch = mode == "webhook" ? "watch --webhook 0 --json --interval \(interval)" : "watch --json --interval \(interval)"
        let before = counting.counts.withLock { $0 }
        let status = await shell.run(watch)
        let after = counting.counts.withLock { $0 }
        let pushed = context.listener?.counts.accepted ?? 0
        await TranscodelyCommands.close(shell)
        var latencies: [Double] = []
        var ended = 0
        for (at, text) in seen.withLock({ $0 }) {
            for line in text.split(separator: "\n") where line.hasPrefix("{") {
                guard let job = try? JSONDecoder().decode(Job.self, from: Data(line.utf8)), job.status.isTerminal,
                      let completed = job.completedAt else { continue }
                ended += 1
                let end = Double(completed.microseconds) / 1e6
                // Jobs that ended before the watch began measure the start, not the watch.
                if end > watchStart + 0.05 { latencies.append((at - end) * 1000) }
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let ticks = after.ticks - before.ticks
        emit(["mode": mode, "jobs": jobs, "watch_status": Int(status), "ended": ended, "measured": latencies.count,
              "p50_ms": percentile(0.50), "p95_ms": percentile(0.95), "max_ms": latencies.last ?? 0,
              "list_requests": after.lists - before.lists, "ticks": ticks,
              "requests_per_tick": ticks > 0 ? Double(after.lists - before.lists) / Double(ticks) : 0,
              "pushed": pushed])
    }
}
