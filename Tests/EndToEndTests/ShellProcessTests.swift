import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// `tcly` as a user runs it, on the embedded default (no API key: the local engine in-process).
@Suite(.serialized, .timeLimit(.minutes(5))) struct ShellProcessTests {
    func environment(_ home: TemporaryDirectory) -> [String: String] {
        ["XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state"]
    }

    @Test func commandsRunOnTheEmbeddedEngineAndScriptsStopAtTheFirstFailure() async throws {
        let home = try TemporaryDirectory("home")
        defer { home.remove() }
        for name in ["ep-1.mp4", "ep-2.mp4"] { try home.write("data/tcly/engine/origins/input/\(name)", "x") }
        let (status, out, errors) = try await TclyProcess.run(
            ["--encoder", "simulate", "-c", "batch 'ep-*.mp4' --name first; watch --batch first --interval 0.2; status --json"],
            environment: environment(home))
        #expect(status == 0, "\(errors)")
        #expect(errors.hasPrefix("tcly: no API key set; using the local engine at http://127.0.0.1:"))
        #expect(out.hasPrefix("batch first: 2 created, 0 already existed, 0 failed"))
        #expect(out.contains("all 2 ended: 2 completed, 0 failed, 0 canceled"))
        let json = try #require(out.split(separator: "\n").last)
        let jobs = try JSONDecoder().decode([Job].self, from: Data(json.utf8))
        #expect(jobs.count == 2 && jobs.allSatisfy { $0.status == .completed })

        try home.write("script.tcly", "echo one\nsubmit ep-1.mp4 --output mp4:h263:720p\necho never\n")
        let (failed, scriptOut, scriptErrors) = try await TclyProcess.run(["run", home.path + "/script.tcly", "--encoder", "simulate"],
                                                                    environment: environment(home))
        #expect(failed == 1 && scriptOut == "one\n")
        #expect(scriptErrors.contains("error: \(home.path)/script.tcly:2:1: submit: --output: codec \"h263\" is not one of h264, h265, vp9, av1\n    submit ep-1.mp4 --output mp4:h263:720p\n    ^"))
    }

    @Test func aResumedSessionHasEveryJobOfTheLastOne() async throws {
        let home = try TemporaryDirectory("home")
        defer { home.remove() }
        for index in 0..<5 { try home.write("data/tcly/engine/origins/input/c\(index).mp4", "x") }
        let (status, out, _) = try await TclyProcess.run(["--encoder", "simulate", "-c", "batch 'c*.mp4' --name r; jobs"], environment: environment(home))
        #expect(status == 0)
        let ids = out.split(separator: "\n").compactMap { $0.split(separator: " ").first }.filter { $0.hasPrefix("job_") }
        #expect(ids.count == 5)
        let (resumed, resumedOut, resumedErrors) = try await TclyProcess.run(["--encoder", "simulate", "--resume", "--json", "-c", "jobs"],
                                                                       environment: environment(home))
        #expect(resumed == 0 && resumedErrors.contains("resumed the last session: 5 job(s)"))
        // --json: the command answers with one JSON document.
        let jobs = try JSONDecoder().decode([Job].self, from: Data(resumedOut.utf8))
        #expect(Set(jobs.map(\.id)) == Set(ids.map(String.init)))
    }
}

/// Kill -9 of the shell in the middle of a batch: `--resume` has every job whose creation was
/// answered, and running the batch again creates nothing twice.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ShellCrashTests {
    @Test func aShellKilledMidBatchResumesWithEveryCreatedJobAndARerunDuplicatesNothing() async throws {
        let home = try TemporaryDirectory("crash")
        defer { home.remove() }
        for index in 0..<200 { try home.write("data/tcly/engine/origins/input/in/c\(index).mp4", "x") }
        let environment = ["XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state"]
        let batch = "batch 'in/*.mp4' --name crash --key 'crash_{name}' --rate 3 --burst 10 --concurrency 4"
        let shell = try TclyProcess(["--encoder", "simulate", "-c", batch], environment: environment)
        // Killed once the journal holds some of the batch's answers: at 3/s the batch takes 63 s more,
        // so the kill lands mid-batch even when this test wakes late on a loaded machine (at 5/s, a
        // clean clone's first full run once saw the whole batch journaled before the kill).
        let journal = home.path + "/state/tcly/sessions"
        for _ in 0..<3000 where Self.journaledLines(in: journal) < 40 { try await Task.sleep(for: .milliseconds(20)) }
        try await shell.kill(SIGKILL)
        // The embedded engine died with the shell: start it again through a resumed session.
        let (status, out, errors) = try await TclyProcess.run(["--encoder", "simulate", "--resume", "-c", "jobs --json"], environment: environment)
        #expect(status == 0, "\(errors)")
        let journaled = try JSONDecoder().decode([Job].self, from: Data(out.utf8))
        #expect(journaled.count > 20 && journaled.count < 200, "killed mid-batch: \(journaled.count)")
        // Every job the engine has was created by an answered request, except at most the few in flight.
        let (_, listed, _) = try await TclyProcess.run(["--encoder", "simulate", "-c", "ls --json"], environment: environment)
        let stored = try JSONDecoder().decode([Job].self, from: Data(listed.utf8))
        #expect(Set(journaled.map(\.id)).isSubset(of: Set(stored.map(\.id))))
        #expect(stored.count - journaled.count <= 4)
        // The rerun finds every job the first run made, and makes the rest once.
        let (rerun, rerunOut, _) = try await TclyProcess.run(["--encoder", "simulate", "-c", batch.replacingOccurrences(of: "--rate 3", with: "--rate 1000")],
                                                       environment: environment)
        #expect(rerun == 0)
        #expect(rerunOut.contains("\(200 - stored.count) created, \(stored.count) already existed, 0 failed"))
        let (_, all, _) = try await TclyProcess.run(["--encoder", "simulate", "-c", "ls --json"], environment: environment)
        let final = try JSONDecoder().decode([Job].self, from: Data(all.utf8))
        #expect(final.count == 200 && Set(final.compactMap(\.idempotencyKey)).count == 200)
    }

    /// How many lines the journals under `folder` hold (about two per answered create).
    static func journaledLines(in folder: String) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".jsonl") }.reduce(0) { total, file in
            total + (FileManager.default.contents(atPath: folder + "/" + file)?.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } ?? 0)
        }
    }
}
