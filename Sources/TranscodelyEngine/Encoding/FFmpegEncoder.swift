import Foundation
import Synchronization
import TranscodelyAPI

/// The `ffmpeg` encoder: probes with ffprobe, then one ffmpeg process per job decodes the input once
/// and writes every output into the attempt's staging folder (`EncodeWork.staging`), which the
/// engine publishes to `jobs/<job id>` once the store has recorded the completion.
public struct FFmpegEncoder: MediaEncoder {
    public var name: String { "ffmpeg" }
    /// `ffmpeg 5.1.6`: the version this machine has, as attempt logs name it.
    public let tool: String
    /// The ffmpeg encoders this machine has (`libx264`, …).
    public let available: Set<String>
    /// `-threads` for each job; 0 lets ffmpeg choose (every core).
    public var threads: Int
    /// How long a cancelled ffmpeg gets between SIGTERM and SIGKILL.
    public var grace: Duration = .seconds(5)

    /// Finds ffmpeg and ffprobe and what they can encode; throws a sentence saying how to install
    /// them when they are missing.
    public static func detect(threads: Int = 0) async throws -> FFmpegEncoder {
        let missing = ConnectError.failedPrecondition(
            "ffmpeg and ffprobe are needed for real encoding: install them (apt-get install ffmpeg, or run scripts/setup), or start with --encoder simulate")
        guard let (exit, listing) = try? await ChildProcess.output("ffmpeg", ["-hide_banner", "-encoders"]), exit.status == 0,
              let (probeExit, _) = try? await ChildProcess.output("ffprobe", ["-version"]), probeExit.status == 0 else {
            throw missing
        }
        var encoders = Set<String>()
        for line in listing.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count >= 2, words[0].first == "V" { encoders.insert(String(words[1])) }
        }
        return FFmpegEncoder(available: encoders, threads: threads, version: await version())
    }

    /// `5.1.6` from `ffmpeg version 5.1.6-0+deb12u1 Copyright …`; nil when it cannot be read.
    static func version() async -> String? {
        guard let (_, text) = try? await ChildProcess.output("ffmpeg", ["-hide_banner", "-version"]),
              let first = text.split(separator: "\n").first else { return nil }
        let words = first.split(separator: " ")
        guard words.count >= 3, words[0] == "ffmpeg", words[1] == "version" else { return nil }
        return String(words[2].prefix { $0 != "-" })
    }

    public init(available: Set<String>, threads: Int = 0, version: String? = nil) {
        self.available = available
        self.threads = threads
        tool = version.map { "ffmpeg \($0)" } ?? "ffmpeg"
    }

    public func check(_ request: CreateJobRequest) throws(ConnectError) {
        for output in request.outputs {
            for variant in output.video {
                let encoder = QualityTable.encoder(for: variant.codec)
                guard available.contains(encoder) else {
                    throw .failedPrecondition("codec \(variant.codec.rawValue) needs the \(encoder) encoder, which this machine's ffmpeg lacks; choose another codec")
                }
            }
        }
    }

    public func probe(_ input: URL, job: Job, log: AttemptLog) async throws -> MediaInfo {
        try await FFprobe.probe(input, name: job.inputPath, log: log)
    }

    public func encode(_ work: EncodeWork, progress: @escaping @Sendable (Double) async -> Void) async throws -> [OutputResult] {
        let staging = work.staging
        let plan = RenditionPlan(job: work.job, source: work.info)
        do {
            for output in plan.outputs {
                try FileManager.default.createDirectory(at: staging.appendingPathComponent(output.folder), withIntermediateDirectories: true)
            }
        } catch {
            work.log.append("engine: cannot create \(staging.path): \(error.localizedDescription)")
            throw JobFailure(.outputWriteFailed, "cannot write to output origin \(work.job.outputOriginID): \(error.localizedDescription)",
                             phase: .write)
        }
        try await run(FFmpegCommand(input: work.input, source: work.info, plan: plan, folder: staging, threads: threads),
                      work: work, progress: progress)
        return try await results(plan: plan, staging: staging, work: work)
    }

    /// Runs ffmpeg, reporting progress from its `out_time_us` against the probed duration; its
    /// standard error goes to the attempt's log, and a run that did not succeed is classified by
    /// `FFmpegFailure` with the position it had reached.
    private func run(_ command: FFmpegCommand, work: EncodeWork,
                     progress: @escaping @Sendable (Double) async -> Void) async throws {
        let latest = Locked<Double>(0)
        let reached = Locked<Double?>(nil)
        let lines = Locked<[String]>([])
        let duration = max(work.info.durationSeconds, 0.001)
        work.log.command("ffmpeg", command.arguments)
        let child = ChildProcess("ffmpeg", command.arguments, environment: ["SVT_LOG": "1"])
        let exit = try await withThrowingTaskGroup(of: ChildProcess.Exit?.self) { group in
            group.addTask {
                try await child.run(grace: grace, onLine: { line in
                    guard line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst(12)), micros >= 0 else { return }
                    reached.withLock { $0 = max($0 ?? 0, micros / 1_000_000) }
                    latest.withLock { $0 = max($0, min(99.9, micros / 1_000_000 / duration * 100)) }
                }, onErrorLine: { line in
                    // What FFmpegFailure reads: this run's lines as the log shows them, the first
                    // ones and always the latest (the log itself is bounded on its own).
                    guard let shown = work.log.append(line) else { return }
                    lines.withLock { if $0.count < 400 { $0.append(shown) } else { $0[$0.count - 1] = shown } }
                })
            }
            group.addTask {
                var reported = 0.0
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(250))
                    let value = latest.value
                    if value > reported {
                        reported = value
                        await progress(value)
                    }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let exit = result { return exit }
            }
            throw CancellationError()
        }
        if let failure = FFmpegFailure.classify(exit: exit, lines: lines.value, position: reached.value, duration: work.info.durationSeconds) {
            throw failure
        }
    }

    /// Measures what was written: sizes, durations (each output probed) and per-rendition bitrates.
    /// An output clearly shorter than the input means the input was damaged or truncated.
    private func results(plan: RenditionPlan, staging: URL, work: EncodeWork) async throws -> [OutputResult] {
        var results: [OutputResult] = []
        for output in plan.outputs {
            let folder = staging.appendingPathComponent(output.folder)
            let relative = "\(work.jobFolder)/\(output.folder)"
            let main = output.spec.type == .mp4 ? "video.mp4" : "master.m3u8"
            let measured = try await Self.duration(of: folder.appendingPathComponent(output.spec.type == .mp4 ? main : "\(output.renditions[0].name)/index.m3u8"))
            if let measured, measured < work.info.durationSeconds * 0.9 - 0.5 {
                work.log.append("engine: \(relative) lasts \(String(format: "%.2f", measured)) s; the input's index says \(String(format: "%.2f", work.info.durationSeconds)) s")
                throw JobFailure(.inputUnreadable, "\(work.job.inputPath) decodes to \(String(format: "%.1f", measured)) s of its \(String(format: "%.1f", work.info.durationSeconds)) s: it is truncated or damaged",
                                 phase: .decode, positionSeconds: measured)
            }
            let duration = measured ?? work.info.durationSeconds
            let variants = output.served.enumerated().map { position, served in
                let (rendition, note) = served
                let path = output.spec.type == .mp4 ? main : "\(rendition.name)/index.m3u8"
                let bytes = output.spec.type == .mp4
                    ? Self.size(of: folder.appendingPathComponent(main))
                    : Self.size(of: folder.appendingPathComponent(rendition.name))
                let longSide = Int((Double(rendition.shortSide) * Double(max(work.info.width, work.info.height))
                    / Double(max(1, min(work.info.width, work.info.height)))).rounded() / 2) * 2
                return VariantResult(
                    resolution: output.spec.video[position].resolution,
                    path: "\(relative)/\(path)", bitrateKbps: Int(Double(bytes) * 8 / max(duration, 0.001) / 1000),
                    codec: rendition.codec,
                    width: plan.portrait ? rendition.shortSide : longSide,
                    height: plan.portrait ? longSide : rendition.shortSide, note: note)
            }
            results.append(OutputResult(type: output.spec.type, path: "\(relative)/\(main)",
                                        sizeBytes: Self.size(of: folder), durationSeconds: duration, variants: variants))
        }
        return results
    }

    /// A file's size, or the total of a folder's files.
    static func size(of url: URL) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue {
            return Int64((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
        }
        var total: Int64 = 0
        let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey])
        while let file = walker?.nextObject() as? URL {
            total += Int64((try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
        return total
    }

    /// The duration ffprobe reads from a file or playlist.
    static func duration(of url: URL) async throws -> Double? {
        let (exit, text) = try await ChildProcess.output("ffprobe", [
            "-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", url.path,
        ])
        return exit.status == 0 ? Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }
}
