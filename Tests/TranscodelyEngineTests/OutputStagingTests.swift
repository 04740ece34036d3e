import Foundation
import Testing
import TranscodelyAPI
@testable import TranscodelyEngine
import TranscodelyTestSupport

/// Staging and publishing on a real file system, and the sweep of an output origin shared with
/// other engines: it removes what a dead engine left, stopping its ffmpeg, and never touches an
/// attempt that another live process holds, nor its ffmpeg.
@Suite(.serialized, .timeLimit(.minutes(5))) struct OutputStagingTests {
    let root: URL

    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("origin-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var staging: URL { root.appendingPathComponent(OutputStaging.folderName) }

    func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    func write(_ text: String, _ file: String, in staging: OutputStaging) throws {
        let url = staging.folder.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func everyAttemptOfAJobStagesInAFolderOfItsOwn() throws {
        let names = [Lease(jobID: "job_a", attempt: 1), Lease(jobID: "job_a", attempt: 2),
                     Lease(jobID: "job_a", attempt: 2, token: "lease-token-of-node-b"),
                     Lease(jobID: "job_a", attempt: 2, token: "lease-token-of-node-c")].map(OutputStaging.name(for:))
        #expect(names[0] == "job_a.1" && names[1] == "job_a.2")
        #expect(names[2].hasPrefix("job_a.2.") && names[2].count == "job_a.2.".count + 8)
        #expect(Set(names).count == 4)
        #expect(OutputStaging.name(for: Lease(jobID: "job_a", attempt: 2, token: "lease-token-of-node-b")) == names[2])

        // A stalled first attempt and the rescued second one run side by side.
        let first = try OutputStaging(root: root, lease: Lease(jobID: "job_a", attempt: 1, token: "t1"))
        let second = try OutputStaging(root: root, lease: Lease(jobID: "job_a", attempt: 2, token: "t2"))
        #expect(first.folder != second.folder && first.final == second.final)
        try write("first", "0-mp4/video.mp4", in: first)
        try write("second", "0-mp4/video.mp4", in: second)
        #expect(entries(staging) == [first.name, first.name + ".lock", second.name, second.name + ".lock"].sorted())

        try second.publish()
        second.close()
        first.close()
        let published = root.appendingPathComponent("jobs/job_a")
        #expect(try String(contentsOf: published.appendingPathComponent("0-mp4/video.mp4"), encoding: .utf8) == "second")
        #expect(entries(published) == ["0-mp4"])
        #expect(entries(staging).isEmpty)
    }

    @Test func publishingReplacesAnEarlierAttemptsOutputsWholeNeverMixingThem() throws {
        // Attempt 1 published, then its completion did not commit (the node died before it).
        let first = try OutputStaging(root: root, lease: Lease(jobID: "job_b", attempt: 1))
        try write("one", "0-hls/master.m3u8", in: first)
        try write("one", "0-hls/720p/seg-0.ts", in: first)
        try write("one", "1-mp4/video.mp4", in: first)
        try first.publish()
        first.close()
        let second = try OutputStaging(root: root, lease: Lease(jobID: "job_b", attempt: 2))
        try write("two", "0-hls/master.m3u8", in: second)
        try second.publish()
        try second.publish()
        #expect(second.isPublished)
        second.close()
        let published = root.appendingPathComponent("jobs/job_b")
        #expect(entries(published) == ["0-hls"])
        #expect(entries(published.appendingPathComponent("0-hls")) == ["master.m3u8"])
        #expect(try String(contentsOf: published.appendingPathComponent("0-hls/master.m3u8"), encoding: .utf8) == "two")
        #expect(entries(staging).isEmpty)
    }

    @Test func aPublishThatFailsChangesNothingAndItsStagingGoes() throws {
        // `jobs` is a file: no folder can be renamed into it.
        try Data("not a folder".utf8).write(to: root.appendingPathComponent("jobs"))
        let attempt = try OutputStaging(root: root, lease: Lease(jobID: "job_c", attempt: 1))
        try write("c", "0-mp4/video.mp4", in: attempt)
        #expect(throws: FileFailure.self) { try attempt.publish() }
        do { try attempt.publish() } catch { #expect("\(error)" == "Not a directory") }
        #expect(!attempt.isPublished)
        attempt.close()
        #expect(entries(staging).isEmpty)
        #expect(try String(contentsOf: root.appendingPathComponent("jobs"), encoding: .utf8) == "not a folder")
    }

    @Test func theSweepRemovesWhatDeadEnginesLeftAndNeverALiveAttempt() async throws {
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        // Another engine's live attempt: its lock held by another process (as by an engine on
        // this machine or, through the shared file system, on another), its ffmpeg writing.
        let live = staging.appendingPathComponent("job_live.1.5f3a9c21")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let holder = try ChildProgram("flock", ["-n", "-o", live.path + ".lock"] + Self.ffmpeg(writing: live))
        // A dead engine's attempt: its lock file left unheld, its ffmpeg orphaned and still writing.
        let dead = staging.appendingPathComponent("job_dead.2")
        try FileManager.default.createDirectory(at: dead, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dead.path + ".lock", contents: Data("pid 1 on gone\n".utf8)))
        let orphan = try ChildProgram("ffmpeg", Array(Self.ffmpeg(writing: dead).dropFirst()))
        // A live attempt of this very process.
        let mine = try OutputStaging(root: root, lease: Lease(jobID: "job_mine", attempt: 1))
        try write("mine", "0-mp4/video.mp4", in: mine)
        // The layout before per-attempt staging, left by an engine of an earlier version.
        let legacy = staging.appendingPathComponent("job_legacy")
        try FileManager.default.createDirectory(at: legacy.appendingPathComponent("0-mp4"), withIntermediateDirectories: true)
        defer {
            for pid in MediaSamples.processes(mentioning: live.path + "/") { kill(pid, SIGKILL) }
            holder.signal(SIGKILL)
            orphan.signal(SIGKILL)
        }
        try await Self.waitUntilWriting(live, holder)
        try await Self.waitUntilWriting(dead, orphan)

        let encoder = FFmpegEncoder(available: ["libx264"])
        await encoder.recover(outputRoots: [root])

        #expect(!FileManager.default.fileExists(atPath: dead.path) && !FileManager.default.fileExists(atPath: dead.path + ".lock"))
        #expect(!FileManager.default.fileExists(atPath: legacy.path))
        #expect(try await Self.exits(orphan), "the dead engine's ffmpeg still runs")
        #expect(FileManager.default.fileExists(atPath: live.appendingPathComponent("out.ts").path))
        #expect(!holder.hasExited && !MediaSamples.processes(mentioning: live.path + "/").isEmpty, "the live attempt's ffmpeg was stopped")
        #expect(FileManager.default.fileExists(atPath: mine.folder.appendingPathComponent("0-mp4/video.mp4").path))
        #expect(entries(staging) == ["job_live.1.5f3a9c21", "job_live.1.5f3a9c21.lock", mine.name, mine.name + ".lock"].sorted())
        mine.close()
        #expect(entries(staging) == ["job_live.1.5f3a9c21", "job_live.1.5f3a9c21.lock"])
    }

    /// An ffmpeg that writes into `folder` for minutes (real time), as `ffmpeg ARGUMENTS…`.
    static func ffmpeg(writing folder: URL) -> [String] {
        ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
         "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", folder.appendingPathComponent("out.ts").path]
    }

    /// Waits (at most 30 s) until the program has started writing into `folder`.
    static func waitUntilWriting(_ folder: URL, _ program: ChildProgram) async throws {
        let file = folder.appendingPathComponent("out.ts").path
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: file), !MediaSamples.processes(mentioning: folder.path + "/").isEmpty { return }
            if program.hasExited { throw SampleError("\(program.commandLine.joined(separator: " ")) exited: \(program.errors)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SampleError("nothing wrote into \(folder.path) in 30 s")
    }

    /// Whether the program ends within 10 s.
    static func exits(_ program: ChildProgram) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if program.hasExited { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
