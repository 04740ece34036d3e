import Foundation
import TranscodelyAPI

/// The `simulate` encoder: walks every job through the same states with the same timing rules and
/// progress as a real encode, touching no media (SHELL.md). The input file must still exist (the
/// worker checks it); a path containing `corrupt` fails with `input_unreadable`; a fraction `fail`
/// of the others fails with `encode_failed`, chosen by a stable hash of the input path so that
/// reruns agree. The result paths are the files a real encode would write, and are not written;
/// what it writes instead is one small `simulated.json` per output (`jobs/JOB_ID/I-TYPE/`: the
/// job, the attempt and that output's result), staged and published the way real outputs are.
public struct SimulatedEncoder: MediaEncoder {
    /// `probe=SECONDS,encode=SECONDS,fail=FRACTION`.
    public struct Spec: Sendable, Hashable {
        public var probeSeconds: Double = 0.2
        public var encodeSeconds: Double = 2
        public var failFraction: Double = 0

        public init() {}

        /// Reads `probe=0.5,encode=5,fail=0.1`; every part is optional.
        public init(parsing text: String) throws(ConnectError) {
            for part in text.split(separator: ",", omittingEmptySubsequences: true) {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, let value = Double(pair[1]), value.isFinite, value >= 0 else {
                    throw .invalidArgument("--simulate: \"\(part)\" is not NAME=NUMBER (as probe=0.5,encode=5,fail=0.1)")
                }
                switch pair[0] {
                case "probe": probeSeconds = value
                case "encode": encodeSeconds = value
                case "fail":
                    guard value <= 1 else { throw .invalidArgument("--simulate: fail is a fraction from 0 to 1, got \(value)") }
                    failFraction = value
                default:
                    throw .invalidArgument("--simulate: unknown setting \"\(pair[0])\"; expected probe, encode or fail")
                }
            }
        }
    }

    public let spec: Spec
    public var name: String { "simulate" }
    public var tool: String { "simulate" }

    public init(spec: Spec = Spec()) { self.spec = spec }

    public func probe(_ input: URL, job: Job, log: AttemptLog) async throws -> MediaInfo {
        log.command("simulate", ["probe", job.inputPath])
        try await Self.sleep(seconds: spec.probeSeconds)
        if job.inputPath.contains("corrupt") {
            log.append("simulate: \(job.inputPath): Invalid data found when processing input (its path contains \"corrupt\")")
            throw JobFailure(.inputUnreadable, "\(job.inputPath) is not a media file (simulated: its path contains \"corrupt\")",
                             phase: .probe)
        }
        // A nominal source: what a typical upload looks like.
        return MediaInfo(durationSeconds: 10, width: 1920, height: 1080, videoCodec: "h264", frameRate: 30, hasAudio: true)
    }

    public func encode(_ work: EncodeWork, progress: @escaping @Sendable (Double) async -> Void) async throws -> [OutputResult] {
        let failsAt = Self.fails(path: work.job.inputPath, fraction: spec.failFraction) ? 50.0 : nil
        work.log.command("simulate", ["encode", work.job.inputPath, "probe=\(spec.probeSeconds),encode=\(spec.encodeSeconds),fail=\(spec.failFraction)"])
        let steps = max(1, Int(spec.encodeSeconds * 4))
        for step in 1...steps {
            try await Self.sleep(seconds: spec.encodeSeconds / Double(steps))
            let value = Double(step) * 100 / Double(steps)
            if let failsAt, value >= failsAt {
                // Chosen by a stable hash of the path: every attempt at this input fails the same way.
                let position = work.info.durationSeconds * failsAt / 100
                work.log.append("simulate: frame \(Int(position * work.info.frameRate)): encoder error (simulated failure, fail=\(spec.failFraction))")
                work.log.append("simulate: the stable hash of \(work.job.inputPath) selects it among the failing fraction; a retry fails the same way")
                throw JobFailure(.encodeFailed, "encoding \(work.job.inputPath) failed (simulated failure, fail=\(spec.failFraction))",
                                 category: .engine, retryable: false, phase: .encode, positionSeconds: position)
            }
            if step < steps { await progress(value) }
        }
        let results = work.job.outputs.enumerated().map { index, output in
            let folder = "\(work.jobFolder)/\(index)-\(output.type.rawValue)"
            let variants = output.video.map { variant in
                VariantResult(resolution: variant.resolution,
                              path: output.type == .hls ? "\(folder)/\(variant.resolution.rawValue)/index.m3u8" : "\(folder)/video.mp4",
                              bitrateKbps: Self.nominalKbps(variant.resolution), codec: variant.codec,
                              width: variant.resolution.height * 16 / 9, height: variant.resolution.height)
            }
            let total = variants.reduce(0) { $0 + Int64($1.bitrateKbps) * 1000 / 8 * Int64(work.info.durationSeconds) }
            return OutputResult(type: output.type, path: output.type == .hls ? "\(folder)/master.m3u8" : "\(folder)/video.mp4",
                                sizeBytes: total, durationSeconds: work.info.durationSeconds, variants: variants)
        }
        for (index, result) in results.enumerated() {
            let folder = work.staging.appendingPathComponent("\(index)-\(result.type.rawValue)")
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.field("simulated", "simulate encoder: no media was made")
            writer.field("job_id", work.job.id)
            writer.key("attempt")
            writer.int(Int64(work.attempt))
            writer.field("result", result)
            writer.endObject()
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
                try Data(writer.bytes).write(to: folder.appendingPathComponent(Self.outputFile))
            } catch {
                work.log.append("simulate: cannot write \(folder.path): \(error.localizedDescription)")
                throw JobFailure(.outputWriteFailed, "cannot write to output origin \(work.job.outputOriginID): \(error.localizedDescription)",
                                 phase: .write)
            }
        }
        return results
    }

    /// The one file the simulate encoder writes in each output's folder.
    public static let outputFile = "simulated.json"

    /// Whether the stable hash of `path` puts it among the failing fraction.
    public static func fails(path: String, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Double(hash % 1_000_000) / 1_000_000 < fraction
    }

    static func nominalKbps(_ resolution: Resolution) -> Int {
        switch resolution {
        case .r2160p: 16000
        case .r1440p: 10000
        case .r1080p: 6000
        case .r720p: 3000
        case .r480p: 1400
        case .r360p: 700
        }
    }

    static func sleep(seconds: Double) async throws {
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int(seconds * 1000))) } else { try Task.checkCancellation() }
    }
}
