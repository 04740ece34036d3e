import ArgumentParser
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient
import TranscodelyShell

/// A shell session of N jobs: journal append cost, RSS, and `session save`/`load` times.
struct Session: AsyncParsableCommand {
    @Option var jobs = 1_000_000
    @Option var folder = "/tmp/tcly-bench-session"

    func run() async throws {
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let before = BenchCommand.Memory.rss()
        let session = try ShellSession(journal: URL(fileURLWithPath: folder + "/journal.jsonl"))
        let request = CreateJobRequest(inputOriginID: "ori_local_input", inputPath: "uploads/episode.mp4", outputOriginID: "ori_local_output",
                                       idempotencyKey: "k", outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])])
        let start = ContinuousClock.now
        for index in 0..<jobs {
            var item = request
            item.inputPath = "uploads/episode-\(index).mp4"
            item.idempotencyKey = "bench-\(index)"
            let job = Job(id: "job_" + String(index, radix: 36).leftPadded(to: 22), status: .pending, request: item,
                          createdAt: Timestamp(microseconds: Int64(index)), updatedAt: Timestamp(microseconds: Int64(index)))
            try await session.record(job, request: item, batch: "bench")
        }
        let recorded = (ContinuousClock.now - start) / .seconds(1)
        let after = BenchCommand.Memory.rss()
        let (output, _) = ShellOutput.capture()
        let context = TranscodelyContext(transport: ConnectTransport(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:9", apiKey: APIKey("unused"), organizationID: "o")), session: session)
        let shell = TranscodelyCommands.shell(context, output: output)
        let saveStart = ContinuousClock.now
        let saved = await shell.run("session save \(folder)/session.json")
        let saveSeconds = (ContinuousClock.now - saveStart) / .seconds(1)
        let fresh = TranscodelyCommands.shell(TranscodelyContext(transport: ConnectTransport(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:9", apiKey: APIKey("unused"), organizationID: "o")), session: try ShellSession(journal: nil)), output: output)
        let loadStart = ContinuousClock.now
        let loaded = await fresh.run("session load \(folder)/session.json")
        let loadSeconds = (ContinuousClock.now - loadStart) / .seconds(1)
        emit(["jobs": jobs, "record_seconds": recorded, "appends_per_second": Double(jobs) / recorded,
              "rss_before_mb": before, "rss_after_mb": after, "save_seconds": saveSeconds, "save_status": Int(saved),
              "load_seconds": loadSeconds, "load_status": Int(loaded), "rss_after_load_mb": BenchCommand.Memory.rss()])
    }
}
