import ArgumentParser
import BatchKit
import Foundation
import TranscodelyAPI
import ShellKit
import TranscodelyClient
import TranscodelyShell

/// Measurements of the batch engine for scripts/bench/batch: each subcommand prints one JSON object.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcly-bench",
        abstract: "Batch-engine measurements for scripts/bench/batch (one JSON object per run).",
        subcommands: [Batch.self, Watch.self, Memory.self, Session.self, Script.self, WatchLatency.self])

    /// Where the API is: the usual environment variables.
    struct Connection: ParsableArguments {
        @Option var url: String
        @Option var key: String
        @Option var org: String

        var client: HTTPJobServiceClient {
            HTTPJobServiceClient(ConnectTransport(configuration: ClientConfiguration(
                baseURL: url, apiKey: APIKey(key), organizationID: org)))
        }
    }

    /// Creates N jobs for inputs `PREFIX-0.mp4` … in `ori_local_input`, paced by BatchKit.
    struct Batch: AsyncParsableCommand {
        @OptionGroup var connection: Connection
        @Option var items = 5000
        @Option var rate = 500.0
        @Option var burst = 1000
        @Option var concurrency = 100
        @Option(help: "Input names are PREFIX-INDEX.mp4; keys are KEYPREFIX-INDEX.") var prefix = "clip"
        @Option var keyPrefix = "bench"

        func run() async throws {
            let items = (0..<items).map { index in
                BatchItem(index: index, request: CreateJobRequest(
                    inputOriginID: "ori_local_input", inputPath: "\(prefix)-\(index).mp4", outputOriginID: "ori_local_output",
                    idempotencyKey: "\(keyPrefix)-\(index)", priority: .economy,
                    outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])]))
            }
            let pacer = Pacer(Pacer.Settings(rate: rate, burst: burst, concurrency: concurrency))
            let report = await BatchRunner(client: connection.client, pacer: pacer).run(items)
            emit(["wall_seconds": report.duration / .seconds(1), "created": report.counts.created,
                  "existed": report.counts.existed, "failed": report.counts.failed, "refusals_seen": report.refusals,
                  "ideal_seconds": Double(max(0, self.items - burst)) / rate])
        }
    }

    /// Follows every job of the organization until all have ended (or `--ticks`), counting requests.
    struct Watch: AsyncParsableCommand {
        @OptionGroup var connection: Connection
        @Option var ticks = 5
        @Option var interval = 1.0

        func run() async throws {
            let client = connection.client
            let monitor = JobMonitor()
            await monitor.followAllListed()
            var perTick: [Int] = []
            var seconds: [Double] = []
            for _ in 0..<ticks {
                let before = await monitor.requests
                let start = ContinuousClock.now
                _ = try await monitor.poll(client)
                seconds.append((ContinuousClock.now - start) / .seconds(1))
                perTick.append(await monitor.requests - before)
                try await Task.sleep(for: .seconds(interval))
            }
            emit(["jobs": await monitor.count, "requests_per_tick": perTick, "seconds_per_tick": seconds])
        }
    }

    /// RSS with N jobs followed by a monitor (compact records).
    struct Memory: AsyncParsableCommand {
        @Option var jobs = 1_000_000

        func run() async throws {
            let before = Self.rss()
            let monitor = JobMonitor()
            let template = Job(id: "", status: .processing, progress: 42, request: CreateJobRequest(
                inputOriginID: "i", inputPath: "p", outputOriginID: "o", outputs: []),
                createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 1))
            var batch: [Job] = []
            for index in 0..<jobs {
                var job = template
                job.id = "job_" + String(index, radix: 36).leftPadded(to: 22)
                batch.append(job)
                if batch.count == 10_000 {
                    await monitor.track(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            await monitor.track(batch)
            let after = Self.rss()
            emit(["jobs": await monitor.count, "rss_before_mb": before, "rss_after_mb": after,
                  "bytes_per_job": Double(after - before) * 1_048_576 / Double(jobs)])
        }

        /// Resident set size in MiB, from /proc/self/status.
        static func rss() -> Int {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
    }
}
