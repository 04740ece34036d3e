import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// `tcly` as a user runs it, on the embedded default (no API key: the local engine in-process).
@Suite(.serialized) struct ShellProcessTests {
    func environment(_ home: TemporaryDirectory) -> [String: String] {
        ["XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state"]
    }

    @Test func commandsRunOnTheEmbeddedEngineAndScriptsStopAtTheFirstFailure() throws {
        let home = try TemporaryDirectory("home")
        defer { home.remove() }
        for name in ["ep-1.mp4", "ep-2.mp4"] { try home.write("data/tcly/engine/origins/input/\(name)", "x") }
        let (status, out, errors) = try TclyProcess.run(
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
        let (failed, scriptOut, scriptErrors) = try TclyProcess.run(["run", home.path + "/script.tcly", "--encoder", "simulate"],
                                                                    environment: environment(home))
        #expect(failed == 1 && scriptOut == "one\n")
        #expect(scriptErrors.contains("error: \(home.path)/script.tcly:2:1: --output: codec \"h263\" is not one of h264, h265, vp9, av1\n    submit ep-1.mp4 --output mp4:h263:720p\n    ^"))
    }

    @Test func aResumedSessionHasEveryJobOfTheLastOne() throws {
        let home = try TemporaryDirectory("home")
        defer { home.remove() }
        for index in 0..<5 { try home.write("data/tcly/engine/origins/input/c\(index).mp4", "x") }
        let (status, out, _) = try TclyProcess.run(["--encoder", "simulate", "-c", "batch 'c*.mp4' --name r; jobs"], environment: environment(home))
        #expect(status == 0)
        let ids = out.split(separator: "\n").compactMap { $0.split(separator: " ").first }.filter { $0.hasPrefix("job_") }
        #expect(ids.count == 5)
        let (resumed, resumedOut, resumedErrors) = try TclyProcess.run(["--encoder", "simulate", "--resume", "-c", "jobs"], environment: environment(home))
        #expect(resumed == 0 && resumedErrors.contains("resumed the last session: 5 job(s)"))
        #expect(ids.allSatisfy { resumedOut.contains($0) })
    }
}
