import Foundation
import Testing
import TranscodelyAPI
@testable import TranscodelyEngine
import TranscodelyTestSupport

/// The real encoder on tiny lavfi clips: outputs that play as asked, inputs that fail with the
/// right code, cancellation that leaves nothing behind.
@Suite(.serialized, .timeLimit(.minutes(5))) struct FFmpegEncoderTests {
    /// Runs `body` with an engine encoding with ffmpeg, one job at a time, and always stops it.
    static func withFixture(_ body: (EngineFixture) async throws -> Void) async throws {
        try await EngineFixture.with(encoder: try await FFmpegEncoder.detect(), workers: 1, body)
    }

    func input(_ fixture: EngineFixture, _ name: String) -> URL {
        fixture.data.appendingPathComponent("origins/input/\(name)")
    }

    func output(_ fixture: EngineFixture, _ path: String) -> URL {
        fixture.data.appendingPathComponent("origins/output/\(path)")
    }

    /// What the output origin's staging folder holds.
    func stagingEntries(_ fixture: EngineFixture) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: output(fixture, OutputStaging.folderName).path)) ?? []).sorted()
    }

    /// Waits (at most 30 s) until the job's last attempt is recorded with an outcome other than
    /// `running`: the worker has cleaned up by then.
    func lastOutcome(_ fixture: EngineFixture, _ id: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let outcome = try await fixture.engine.jobLog(id: id, by: fixture.caller).attempts.last?.outcome ?? ""
            if !outcome.isEmpty, outcome != "running" { return outcome }
            try await Task.sleep(for: .milliseconds(20))
        }
        return "running"
    }

    @Test func mp4AndAnHLSLadderCompleteAndPlayAsAsked() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "hd.mp4"), size: "1280x720", seconds: 2)
            let job = try await f.create("hd.mp4", outputs: [
                OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)]),
                OutputSpec(type: .hls, video: [VideoVariant(codec: .h264, resolution: .r480p),
                                               VideoVariant(codec: .h264, resolution: .r360p, quality: .economy)]),
            ])
            let done = try await f.finished(job.id, seconds: 120)
            #expect(done.status == .completed, "\(String(describing: done.error))")
            let info = try #require(done.input)
            #expect(info.width == 1280 && info.height == 720 && info.videoCodec == "h264" && info.frameRate == 30 && info.hasAudio)
            #expect(abs(info.durationSeconds - 2) < 0.1)
            let results = try #require(done.results)
            #expect(results.map(\.path) == ["jobs/\(job.id)/0-mp4/video.mp4", "jobs/\(job.id)/1-hls/master.m3u8"])
            let mp4 = try await MediaSamples.probe(output(f, results[0].path))
            #expect(mp4.codec == "h264" && mp4.height == 720 && mp4.width == 1280 && abs(mp4.duration - 2) < 0.2)
            for (variant, height) in zip(results[1].variants, [480, 360]) {
                let rung = try await MediaSamples.probe(output(f, variant.path))
                #expect(rung.codec == "h264" && rung.height == height && abs(rung.duration - 2) < 0.3, "\(variant.path)")
                #expect(variant.height == height && variant.bitrateKbps > 0 && variant.note == nil)
            }
            let master = try String(contentsOf: output(f, results[1].path), encoding: .utf8)
            #expect(master.contains("#EXT-X-STREAM-INF") && master.contains("480p/index.m3u8"))
            #expect(results.allSatisfy { $0.sizeBytes > 0 })
            // Nothing is left in the staging folder once the worker is done (its lock goes after the commit).
            await f.stop()
            #expect(stagingEntries(f).isEmpty)
        }
    }

    @Test func everyCodecEncodes() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "small.mp4"), size: "640x360", seconds: 1, audio: false)
            let codecs: [VideoCodec] = [.h265, .vp9, .av1]
            let job = try await f.create("small.mp4", outputs: codecs.map {
                OutputSpec(type: .mp4, video: [VideoVariant(codec: $0, resolution: .r360p, quality: .economy)])
            })
            let done = try await f.finished(job.id, seconds: 180)
            #expect(done.status == .completed, "\(String(describing: done.error))")
            for (result, codec) in zip(done.results ?? [], ["hevc", "vp9", "av1"]) {
                let probe = try await MediaSamples.probe(output(f, result.path))
                #expect(probe.codec == codec && probe.height == 360, "\(result.path)")
            }
        }
    }

    @Test func neverUpscalesAndCollapsesRungsThatComeOutTheSame() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "tiny.mp4"), size: "320x240", seconds: 1)
            let job = try await f.create("tiny.mp4", outputs: [
                OutputSpec(type: .hls, video: [VideoVariant(codec: .h264, resolution: .r720p),
                                               VideoVariant(codec: .h264, resolution: .r480p)]),
            ])
            let done = try await f.finished(job.id, seconds: 120)
            let variants = try #require(done.results?.first?.variants)
            #expect(variants.count == 2)
            #expect(variants[0].height == 240 && variants[0].note?.contains("never upscaled") == true)
            #expect(variants[1].path == variants[0].path && variants[1].note?.hasPrefix("same as the 240p rendition") == true)
            #expect(try await MediaSamples.probe(output(f, variants[0].path)).height == 240)
        }
    }

    @Test func rotatedInputsReportTheirDisplaySize() async throws {
        try await Self.withFixture { f in
            let plain = input(f, "plain.mp4")
            try await MediaSamples.clip(plain, size: "320x240", seconds: 1)
            try await MediaSamples.run("ffmpeg", ["-hide_banner", "-v", "error", "-y", "-i", plain.path, "-c", "copy",
                                            "-metadata:s:v:0", "rotate=90", input(f, "rotated.mp4").path])
            let job = try await f.create("rotated.mp4", outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r360p)])])
            let done = try await f.finished(job.id, seconds: 120)
            #expect(done.input?.width == 240 && done.input?.height == 320)
            let probe = try await MediaSamples.probe(output(f, try #require(done.results?.first?.path)))
            #expect(probe.width == 240 && probe.height == 320)
        }
    }

    /// One bad input of the catalogue and what the engine must say of it.
    struct BadInput: Sendable {
        var name: String
        var code: String
        var category: FailureCategory
        var retryable: Bool
        var phase: FailurePhase
        var message: String
        /// Words of the tool (or of the engine, when no tool ran) the attempt's log must hold.
        var logged: String
    }

    @Test func unusableInputsFailWithTheirCodesCategoriesPhasesAndTheToolsOwnWords() async throws {
        try await Self.withFixture { f in
            try f.input("empty.mp4", "")
            try f.input("notes.mp4", "these are not the frames you are looking for\n")
            var seed: UInt32 = 12345
            try Data((0..<50_000).map { _ in seed = seed &* 1_103_515_245 &+ 12345; return UInt8(truncatingIfNeeded: seed >> 16) })
                .write(to: input(f, "noise.mp4"))
            try await MediaSamples.clip(input(f, "cut.mp4"), seconds: 3, faststart: false)
            try MediaSamples.truncate(input(f, "cut.mp4"), to: 0.5)
            let faststart = input(f, "cut-faststart.mp4")
            try await MediaSamples.clip(faststart, seconds: 10, faststart: true)
            // Where the cut falls, measured on the whole file: the last video packet wholly before it.
            let cutBytes = Int(Double(try Data(contentsOf: faststart).count) * 0.6)
            let packets = try await MediaSamples.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                               "packet=pts_time,pos,size", "-of", "csv=p=0", faststart.path])
            let cutSeconds = packets.split(separator: "\n").compactMap { line -> Double? in
                let fields = line.split(separator: ",").map { Double($0) ?? -1 }
                guard fields.count == 3, fields[1] >= 0, Int(fields[1] + fields[2]) <= cutBytes else { return nil }
                return fields[0]
            }.max() ?? 0
            try MediaSamples.truncate(faststart, to: 0.6)
            try await MediaSamples.audioOnly(input(f, "voice.m4a"))
            let catalogue = [
                BadInput(name: "empty.mp4", code: "input_unreadable", category: .input, retryable: false, phase: .probe,
                         message: "empty.mp4 is empty (0 bytes)", logged: "empty.mp4 is 0 bytes long"),
                BadInput(name: "notes.mp4", code: "input_unreadable", category: .input, retryable: false, phase: .probe,
                         message: "notes.mp4 is not a readable media file", logged: "Invalid data found when processing input"),
                BadInput(name: "noise.mp4", code: "input_unreadable", category: .input, retryable: false, phase: .probe,
                         message: "noise.mp4 is not a readable media file", logged: "Invalid data found when processing input"),
                BadInput(name: "cut.mp4", code: "input_unreadable", category: .input, retryable: false, phase: .probe,
                         message: "cut.mp4 is not a readable media file", logged: "moov atom not found"),
                BadInput(name: "cut-faststart.mp4", code: "input_unreadable", category: .input, retryable: false, phase: .decode,
                         message: "cut-faststart.mp4 is truncated", logged: "partial file"),
                BadInput(name: "voice.m4a", code: "unsupported_input", category: .input, retryable: false, phase: .probe,
                         message: "voice.m4a has no video stream", logged: "audio (aac)"),
                BadInput(name: "absent.mp4", code: "input_not_found", category: .input, retryable: true, phase: .probe,
                         message: "absent.mp4 does not exist in origin ori_local_input", logged: "absent.mp4 does not exist"),
            ]
            for bad in catalogue {
                let job = try await f.create(bad.name)
                let done = try await f.finished(job.id, seconds: 60)
                let error = try #require(done.error, "\(bad.name) did not fail")
                #expect(done.status == .failed, "\(bad.name)")
                #expect(error.code == bad.code, "\(bad.name): \(error)")
                #expect(error.category == bad.category && error.retryable == bad.retryable && error.phase == bad.phase,
                        "\(bad.name): \(error)")
                #expect(error.attempt == 1, "\(bad.name): \(error)")
                #expect(error.message.hasPrefix(bad.message), "\(bad.name): \(error.message)")
                #expect(!error.message.contains(f.data.path), "\(bad.name) leaks a path")
                let log = try await f.engine.jobLog(id: job.id, by: f.caller)
                let attempt = try #require(log.attempts.first, "\(bad.name) has no attempt")
                #expect(log.attempts.count == 1 && attempt.number == 1 && attempt.outcome == "failed" && attempt.endedAt != nil)
                #expect(attempt.tool.hasPrefix("ffmpeg"), "\(bad.name): \(attempt.tool)")
                #expect(attempt.lines.contains { $0.contains(bad.logged) }, "\(bad.name): \(attempt.lines)")
                let text = (attempt.lines + attempt.command).joined(separator: "\n")
                #expect(!text.contains(f.data.path), "\(bad.name)'s log leaks a path: \(text)")
                if !attempt.command.isEmpty { #expect(attempt.command.contains(bad.name), "\(bad.name): \(attempt.command)") }
            }
            let truncated = try await f.engine.listJobs(ListJobsRequest(), by: f.caller).jobs.first { $0.inputPath == "cut-faststart.mp4" }
            let position = try #require(truncated?.error?.positionSeconds)
            #expect(cutSeconds > 3 && abs(position - cutSeconds) <= 1.5, "broke at \(position) s; the cut falls at \(cutSeconds) s")
        }
    }

    @Test func aKilledFFmpegIsAnEngineFailureThatMayBeRetried() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "long.mp4"), size: "1280x720", seconds: 20, audio: false)
            let job = try await f.create("long.mp4", outputs: [
                OutputSpec(type: .hls, video: [VideoVariant(codec: .h264, resolution: .r720p, quality: .premium)]),
            ])
            var seen = job
            let deadline = ContinuousClock.now + .seconds(60)
            while !(seen.status == .processing && seen.progress > 0), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                seen = try await f.engine.job(id: job.id, by: f.caller)
            }
            let ffmpeg = MediaSamples.processes(mentioning: job.id)
            #expect(!ffmpeg.isEmpty && seen.progress > 0)
            for pid in ffmpeg { kill(pid, SIGKILL) }
            let done = try await f.finished(job.id, seconds: 60)
            let error = try #require(done.error)
            #expect(error.code == "encode_failed" && error.category == .engine && error.retryable == true && error.phase == .encode, "\(error)")
            #expect(error.message.contains("SIGKILL"), "\(error.message)")
            #expect((error.positionSeconds ?? 0) > 0, "\(error)")
            let attempt = try #require(try await f.engine.jobLog(id: job.id, by: f.caller).attempts.last)
            #expect(attempt.outcome == "failed" && attempt.command.first == "ffmpeg" && attempt.command.contains("long.mp4"))
            #expect(!attempt.command.joined(separator: " ").contains(f.data.path), "\(attempt.command)")
        }
    }

    @Test func aFullDiskIsAnOutputFailureThatMayBeRetried() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "big.mp4"), size: "640x360", seconds: 10)
            // The output origin on a 256 KiB tmpfs: a real full disk (CI runs as root).
            let outputs = output(f, "")
            do {
                try await MediaSamples.run("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", outputs.path])
            } catch {
                Issue.record("this test mounts a 256 KiB tmpfs as the output origin and needs root for it: \(error)")
                return
            }
            do {
                let job = try await f.create("big.mp4", outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r360p)])])
                let done = try await f.finished(job.id, seconds: 120)
                let error = try #require(done.error, "the job did not fail: \(done.status)")
                #expect(error.code == "output_write_failed" && error.category == .output && error.retryable == true && error.phase == .write,
                        "\(error)")
                #expect(error.message.contains("No space left on device"), "\(error.message)")
                let attempt = try #require(try await f.engine.jobLog(id: job.id, by: f.caller).attempts.last)
                #expect(attempt.lines.contains { $0.contains("No space left on device") }, "\(attempt.lines)")
            } catch {
                _ = try? await MediaSamples.run("umount", [outputs.path])
                throw error
            }
            try await MediaSamples.run("umount", [outputs.path])
        }
    }

    @Test func aFailedWriteIsAFailureEvenWhenFFmpegExitsZero() async throws {
        // Real ffmpeg writing to /dev/full: every write is ENOSPC, and this ffmpeg still exits 0.
        let lines = Locked<[String]>([])
        let child = ChildProcess("ffmpeg", ["-hide_banner", "-nostdin", "-v", "warning", "-y", "-f", "lavfi", "-i",
                                            "testsrc2=size=160x120:rate=30:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
                                            "-f", "mpegts", "/dev/full"])
        let exit = try await child.run(onErrorLine: { line in lines.withLock { $0.append(String(line)) } })
        let failure = try #require(FFmpegFailure.classify(exit: exit, lines: lines.value, position: 0.5, duration: 1),
                                   "exit \(exit.status): \(lines.value)")
        #expect(failure.code == .outputWriteFailed && failure.category == .output && failure.retryable && failure.phase == .write)
        #expect(failure.message.contains("No space left on device"), "\(failure.message)")
        // A clean run's warnings are not a failure.
        #expect(FFmpegFailure.classify(exit: ChildProcess.Exit(status: 0, signaled: false, errorTail: ""),
                                       lines: ["[swscaler @ 0x1] deprecated pixel format used, make sure you did set range correctly"],
                                       position: 1, duration: 1) == nil)
    }

    @Test func aProgramTheEngineRunsInheritsNoneOfItsDescriptors() async throws {
        // A socket as NIO opens them, without close-on-exec: an ffmpeg left orphaned by a killed
        // node must not keep its PostgreSQL connections (its node name's lock) or its port open.
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socketFD >= 0, "no socket: \(String(cString: strerror(errno)))")
        defer { close(socketFD) }
        let fileFD = open("/dev/null", O_RDONLY)
        try #require(fileFD >= 0)
        defer { close(fileFD) }
        let lines = Locked<[String]>([])
        let exit = try await ChildProcess("/bin/sh", ["-c", "ls /proc/$$/fd"]).run(onLine: { line in
            lines.withLock { $0.append(String(line)) }
        })
        #expect(exit.status == 0, "\(exit.errorTail)")
        #expect(lines.value.contains("2") && !lines.value.contains("\(socketFD)") && !lines.value.contains("\(fileFD)"),
                "the program had descriptors \(lines.value); this process's socket is \(socketFD), its file \(fileFD)")
    }

    @Test func cancelStopsFFmpegAndLeavesNothingBehind() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "long.mp4"), size: "1280x720", seconds: 20, audio: false)
            let job = try await f.create("long.mp4", outputs: [
                OutputSpec(type: .hls, video: [VideoVariant(codec: .h264, resolution: .r720p, quality: .premium)]),
            ])
            var seen = job
            for _ in 0..<600 where !(seen.status == .processing && seen.progress > 0) {
                try await Task.sleep(for: .milliseconds(50))
                seen = try await f.engine.job(id: job.id, by: f.caller)
            }
            #expect(seen.status == .processing && seen.progress > 0 && seen.progress < 100)
            #expect(!MediaSamples.processes(mentioning: job.id).isEmpty)
            // The attempt writes into a staging folder of its own, named by its job and attempt, and holds its lock.
            #expect(!MediaSamples.processes(mentioning: "/\(OutputStaging.folderName)/\(job.id).1/").isEmpty)
            #expect(stagingEntries(f) == ["\(job.id).1", "\(job.id).1.lock"])
            let canceled = try await f.engine.cancelJob(id: job.id, by: f.caller)
            #expect(canceled.status == .canceled)
            var left = MediaSamples.processes(mentioning: job.id)
            for _ in 0..<100 where !left.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                left = MediaSamples.processes(mentioning: job.id)
            }
            #expect(left.isEmpty, "ffmpeg still runs: \(left)")
            // The attempt is recorded as canceled once the encoder has returned, its cleanup done.
            var outcome = ""
            for _ in 0..<200 where outcome != "canceled" {
                outcome = try await f.engine.jobLog(id: job.id, by: f.caller).attempts.last?.outcome ?? ""
                if outcome != "canceled" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(outcome == "canceled")
            #expect(!FileManager.default.fileExists(atPath: output(f, "jobs/\(job.id)").path))
            #expect(stagingEntries(f).isEmpty)
            #expect(try await f.engine.job(id: job.id, by: f.caller).status == .canceled)
        }
    }

    @Test func aCompletionTheStoreRefusesPublishesNothingAndLeavesNoStaging() async throws {
        let encoder = CanceledAfterEncode(inner: try await FFmpegEncoder.detect())
        try await EngineFixture.with(encoder: encoder, workers: 1) { f in
            encoder.store.withLock { $0 = f.engine.store }
            try await MediaSamples.clip(input(f, "a.mp4"), seconds: 1)
            let job = try await f.create("a.mp4", outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r360p)])])
            #expect(try await lastOutcome(f, job.id) == "canceled")
            let done = try await f.engine.job(id: job.id, by: f.caller)
            #expect(done.status == .canceled && done.results == nil)
            #expect(encoder.staged.value.count == 1, "the encode did not run to its end: \(encoder.staged.value)")
            #expect(!FileManager.default.fileExists(atPath: output(f, "jobs/\(job.id)").path))
            #expect(stagingEntries(f).isEmpty)
        }
    }

    @Test func aPublishThatFailsFailsTheJobWithOutputWriteFailedAndLeavesNoStaging() async throws {
        try await Self.withFixture { f in
            try await MediaSamples.clip(input(f, "a.mp4"), seconds: 1)
            // A file where the `jobs` folder goes: the staged folder cannot be renamed into it.
            try Data("not a folder\n".utf8).write(to: output(f, "jobs"))
            let job = try await f.create("a.mp4", outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r360p)])])
            let done = try await f.finished(job.id, seconds: 120)
            let error = try #require(done.error, "the job did not fail: \(done.status)")
            #expect(done.status == .failed && done.results == nil)
            #expect(error.code == "output_write_failed" && error.category == .output && error.retryable == true && error.phase == .write, "\(error)")
            #expect(error.message == "cannot move the outputs into jobs/\(job.id): Not a directory")
            #expect(try await lastOutcome(f, job.id) == "failed")
            let attempt = try #require(try await f.engine.jobLog(id: job.id, by: f.caller).attempts.last)
            #expect(attempt.lines.contains("engine: cannot move the staged outputs (.tcly-tmp/\(job.id).1) into jobs/\(job.id): Not a directory"),
                    "\(attempt.lines)")
            #expect(stagingEntries(f).isEmpty)
            #expect(try String(contentsOf: output(f, "jobs"), encoding: .utf8) == "not a folder\n")
        }
    }

    @Test func aCodecTheMachineLacksIsRefusedAtCreate() {
        let encoder = FFmpegEncoder(available: ["libx264"])
        let request = CreateJobRequest(inputOriginID: "i", inputPath: "a.mp4", outputOriginID: "o",
                                       outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .av1, resolution: .r720p)])])
        #expect(throws: ConnectError.failedPrecondition("codec av1 needs the libsvtav1 encoder, which this machine's ffmpeg lacks; choose another codec")) {
            try encoder.check(request)
        }
    }
}

/// The real ffmpeg encoder, after whose encode the job is cancelled in the store (as a cancel that
/// lands just before the completion): the completion that follows is one the store refuses.
struct CanceledAfterEncode: MediaEncoder {
    let inner: FFmpegEncoder
    let store = Locked<(any JobStore)?>(nil)
    /// The staging folders the encodes wrote into, each checked to exist when the encode returned.
    let staged = Locked<[String]>([])

    var name: String { inner.name }
    var tool: String { inner.tool }

    func probe(_ input: URL, job: Job, log: AttemptLog) async throws -> MediaInfo {
        try await inner.probe(input, job: job, log: log)
    }

    func encode(_ work: EncodeWork, progress: @escaping @Sendable (Double) async -> Void) async throws -> [OutputResult] {
        let results = try await inner.encode(work, progress: progress)
        if FileManager.default.fileExists(atPath: work.staging.appendingPathComponent("0-mp4/video.mp4").path) {
            staged.withLock { $0.append(work.staging.lastPathComponent) }
        }
        _ = try await store.value?.apply(.canceled, to: work.job.id, orgID: nil, durable: true)
        return results
    }
}

@Suite(.timeLimit(.minutes(5))) struct RenditionPlanTests {
    func job(_ variants: [VideoVariant]) -> Job {
        Job(id: "job_1", status: .processing, request: CreateJobRequest(
            inputOriginID: "i", inputPath: "a", outputOriginID: "o", outputs: [OutputSpec(type: .hls, video: variants)]),
            createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
    }

    func source(_ width: Int, _ height: Int) -> MediaInfo {
        MediaInfo(durationSeconds: 1, width: width, height: height, videoCodec: "h264", frameRate: 30, hasAudio: true)
    }

    @Test func aLadderAboveTheSourceCollapsesToTheSource() {
        let plan = RenditionPlan(job: job([VideoVariant(codec: .h264, resolution: .r1080p), VideoVariant(codec: .h264, resolution: .r720p),
                                           VideoVariant(codec: .h264, resolution: .r480p)]), source: source(1280, 720))
        #expect(plan.renditions.map(\.shortSide) == [720, 480])
        #expect(plan.outputs[0].served.map(\.rendition.name) == ["720p", "720p", "480p"])
        #expect(plan.outputs[0].served[0].note?.contains("never upscaled") == true)
        #expect(plan.outputs[0].served[1].note?.hasPrefix("same as the 720p") == true)
    }

    @Test func portraitSourcesScaleTheirShortSide() {
        let plan = RenditionPlan(job: job([VideoVariant(codec: .h264, resolution: .r720p)]), source: source(1080, 1920))
        #expect(plan.portrait && plan.scale(plan.renditions[0]) == "scale=720:-2")
    }

    @Test func sameHeightDifferentTiersAreTwoRenditions() {
        let plan = RenditionPlan(job: job([VideoVariant(codec: .h264, resolution: .r720p),
                                           VideoVariant(codec: .h264, resolution: .r720p, quality: .economy)]), source: source(1920, 1080))
        #expect(plan.renditions.map(\.name) == ["720p", "720p-h264-economy"])
    }
}
