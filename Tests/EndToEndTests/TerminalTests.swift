import Foundation
import Testing
import TranscodelyTestSupport

/// The shell in a real terminal (tmux): Tab completes, Up recalls, Ctrl-R finds, Ctrl-C stops a
/// running watch and the shell stays, Ctrl-D leaves; history holds no secret.
@Suite(.serialized) struct TerminalTests {
    let session = "tcly-test-\(getpid())"

    func tmux(_ arguments: [String]) throws -> String {
        try MediaSamples.run("tmux", arguments)
    }

    func screen() throws -> String { try tmux(["capture-pane", "-t", session, "-p"]) }

    func type(_ text: String, then keys: [String] = []) throws {
        _ = try tmux(["send-keys", "-t", session, "-l", "--", text])
        if !keys.isEmpty { _ = try tmux(["send-keys", "-t", session] + keys) }
    }

    func waitFor(_ text: String, seconds: Double = 15) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.contains(text) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TclyProcessError("the terminal never showed \"\(text)\"; it shows:\n\(last)")
    }

    @Test func lineEditingCompletionHistorySearchAndInterrupts() throws {
        let home = try TemporaryDirectory("tty")
        defer {
            _ = try? tmux(["kill-session", "-t", session])
            home.remove()
        }
        try home.write("data/tcly/engine/origins/input/uploads/ep-1.mp4", "x")
        let command = "env XDG_DATA_HOME=\(home.path)/data XDG_STATE_HOME=\(home.path)/state \(TclyProcess.binary().path) --encoder simulate"
        _ = try tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "40", command])
        _ = try waitFor("tcly>")
        try type("subm", then: ["Tab"])
        try type("upl", then: ["Tab"])
        _ = try waitFor("tcly> submit uploads/")
        try type("ep", then: ["Tab"])
        _ = try waitFor("tcly> submit uploads/ep-1.mp4")
        try type("--key tty-1", then: ["Enter"])
        _ = try waitFor("job_")
        try type("echo secret --api-key tk_abcdefghijklmnopqrst", then: ["Enter"])
        _ = try waitFor("secret --api-key tk_abcdefghijklmnopqrst\n")
        _ = try tmux(["send-keys", "-t", session, "Up", "Up"])
        _ = try waitFor("tcly> submit uploads/ep-1.mp4 --key tty-1")
        _ = try tmux(["send-keys", "-t", session, "C-u", "C-r"])
        try type("tty-")
        _ = try waitFor("tty-")
        _ = try tmux(["send-keys", "-t", session, "C-g", "C-u"])
        try type("submit uploads/ep-1.mp4 --key slow; watch $last --interval 0.2", then: ["Enter"])
        _ = try waitFor("processing")
        _ = try tmux(["send-keys", "-t", session, "C-c"])
        _ = try waitFor("interrupted")
        try type("echo alive $status", then: ["Enter"])
        _ = try waitFor("alive 130")
        _ = try tmux(["send-keys", "-t", session, "C-d"])
        Thread.sleep(forTimeInterval: 1)
        let history = try String(contentsOfFile: home.path + "/state/tcly/history", encoding: .utf8)
        #expect(history.contains("--key\\040tty-1"))
        #expect(!history.contains("tk_abcdefghijklmnopqrst") && history.contains("***"))
    }
}
