import Foundation
import Testing
import TranscodelyTestSupport

/// The shell in a real terminal (tmux): Tab completes, Up recalls, Ctrl-R finds, Ctrl-C stops a
/// running watch and the shell stays, Ctrl-D leaves; history holds no secret.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TerminalTests {
    let session = "tcly-test-\(getpid())"

    func tmux(_ arguments: [String]) async throws -> String {
        try await MediaSamples.run("tmux", arguments)
    }

    func screen() async throws -> String { try await tmux(["capture-pane", "-t", session, "-p"]) }

    func type(_ text: String, then keys: [String] = []) async throws {
        _ = try await tmux(["send-keys", "-t", session, "-l", "--", text])
        if !keys.isEmpty { _ = try await tmux(["send-keys", "-t", session] + keys) }
    }

    func waitFor(_ text: String, seconds: Double = 15) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try await screen()
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TclyProcessError("the terminal never showed \"\(text)\"; it shows:\n\(last)")
    }

    /// A tmux session `name` running the shell on the embedded engine (simulated jobs) over a new
    /// home holding `inputs` in its input origin; `environment` goes to env(1) before the variables.
    func start(_ name: String, inputs: [String], columns: Int, environment: String = "") async throws -> TemporaryDirectory {
        let home = try TemporaryDirectory("tty")
        for input in inputs { try home.write("data/tcly/engine/origins/input/\(input)", "x") }
        let command = "env \(environment) XDG_DATA_HOME=\(home.path)/data XDG_STATE_HOME=\(home.path)/state \(TclyProcess.binary().path) --encoder simulate"
        _ = try await tmux(["new-session", "-d", "-s", name, "-x", String(columns), "-y", "30", command])
        return home
    }

    /// Ends session `name` and removes its home. Not awaited (a defer cannot): tmux ends it on its own.
    func stop(_ name: String, _ home: TemporaryDirectory) {
        _ = try? ChildProgram("tmux", ["kill-session", "-t", name])
        home.remove()
    }

    /// The screen of tmux session `name` once it shows `text` (20 s at most); with `colours`, with
    /// its escape sequences.
    func showing(_ text: String, in name: String, colours: Bool = false) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await tmux(["capture-pane", "-t", name, "-p"] + (colours ? ["-e"] : []))
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TclyProcessError("the terminal never showed \"\(text)\"; it shows:\n\(last)")
    }

    @Test func lineEditingCompletionHistorySearchAndInterrupts() async throws {
        let home = try TemporaryDirectory("tty")
        defer {
            // Not awaited: a defer cannot; tmux ends the session on its own.
            _ = try? ChildProgram("tmux", ["kill-session", "-t", session])
            home.remove()
        }
        try home.write("data/tcly/engine/origins/input/uploads/ep-1.mp4", "x")
        let command = "env XDG_DATA_HOME=\(home.path)/data XDG_STATE_HOME=\(home.path)/state \(TclyProcess.binary().path) --encoder simulate"
        _ = try await tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "40", command])
        _ = try await waitFor("tcly>")
        try await type("subm", then: ["Tab"])
        try await type("upl", then: ["Tab"])
        _ = try await waitFor("tcly> submit uploads/")
        try await type("ep", then: ["Tab"])
        _ = try await waitFor("tcly> submit uploads/ep-1.mp4")
        try await type("--key tty-1", then: ["Enter"])
        _ = try await waitFor("job_")
        try await type("echo secret --api-key tk_abcdefghijklmnopqrst", then: ["Enter"])
        _ = try await waitFor("secret --api-key tk_abcdefghijklmnopqrst\n")
        _ = try await tmux(["send-keys", "-t", session, "Up", "Up"])
        _ = try await waitFor("tcly> submit uploads/ep-1.mp4 --key tty-1")
        _ = try await tmux(["send-keys", "-t", session, "C-u", "C-r"])
        try await type("tty-")
        _ = try await waitFor("tty-")
        _ = try await tmux(["send-keys", "-t", session, "C-g", "C-u"])
        try await type("submit uploads/ep-1.mp4 --key slow; watch $last --interval 0.2", then: ["Enter"])
        _ = try await waitFor("processing")
        _ = try await tmux(["send-keys", "-t", session, "C-c"])
        _ = try await waitFor("interrupted")
        try await type("echo alive $status", then: ["Enter"])
        _ = try await waitFor("alive 130")
        _ = try await tmux(["send-keys", "-t", session, "C-d"])
        // The shell writes its history as it ends, and its tmux session ends with it.
        let deadline = ContinuousClock.now + .seconds(15)
        while (try? await tmux(["has-session", "-t", "=" + session])) != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let history = try String(contentsOfFile: home.path + "/state/tcly/history", encoding: .utf8)
        #expect(history.contains("--key\\040tty-1"))
        #expect(!history.contains("tk_abcdefghijklmnopqrst") && history.contains("***"))
    }

    @Test func watchDrawsALiveViewThatEndsWithEveryJobCompleted() async throws {
        let name = session + "-watch"
        let home = try await start(name, inputs: (0..<6).map { "w/ep-\($0).mp4" }, columns: 120)
        defer { stop(name, home) }
        func show(_ text: String) async throws -> String { try await showing(text, in: name) }
        _ = try await show("tcly>")
        _ = try await tmux(["send-keys", "-t", name, "-l", "--", "batch 'w/*.mp4' --name w; watch --webhook 0 --interval 0.3"])
        _ = try await tmux(["send-keys", "-t", name, "Enter"])
        // Mid-way the view is live: a header with counts and bars.
        let during = try await show("watching 6 jobs:")
        #expect(during.contains("█") || during.contains("░"))
        let final = try await show("all 6 ended: 6 completed, 0 failed, 0 canceled")
        #expect(final.contains("watching 6 jobs: 6 completed"))
        #expect(final.contains("100%  6/6 ended"))
        // Redrawn in place: the header is on the screen once.
        #expect(final.components(separatedBy: "watching 6 jobs").count == 2)
        for index in 0..<6 { #expect(final.contains("w/ep-\(index).mp4")) }
        #expect(final.split(separator: "\n").filter { $0.contains("100%  completed") }.count == 6)
    }

    @Test func aColouredTableLinesUpOnTheTerminal() async throws {
        let name = session + "-table"
        // Colours on, whatever the test's environment says.
        let home = try await start(name, inputs: ["a.mp4", "a-much-longer-input-name.mp4"], columns: 160, environment: "-u NO_COLOR")
        defer { stop(name, home) }
        func show(_ text: String, colours: Bool = false) async throws -> String {
            try await showing(text, in: name, colours: colours)
        }
        _ = try await show("tcly>")
        _ = try await tmux(["send-keys", "-t", name, "-l", "--", "submit a.mp4; submit a-much-longer-input-name.mp4; status"])
        _ = try await tmux(["send-keys", "-t", name, "Enter"])
        let coloured = try await show("PROGRESS", colours: true)
        #expect(coloured.contains("\u{1B}[3"), "the statuses are coloured on a terminal")
        let lines = try await show("PROGRESS").split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("ID ") })
        let progress = try #require(header.range(of: "PROGRESS")).lowerBound.utf16Offset(in: header)
        let rows = lines.filter { $0.hasPrefix("job_") && $0.contains("%") }
        #expect(rows.count == 2)
        // Every row's progress ("  0.0%" … "100.0%") starts under PROGRESS: colours take no width.
        for row in rows {
            let cells = Array(row.utf16)
            let cell = String(decoding: cells.dropFirst(progress).prefix(6), as: UTF16.self)
            #expect(cell.range(of: #"^[ 0-9]{2}[0-9]\.[0-9]%$"#, options: .regularExpression) != nil, "\(header)\n\(row)")
        }
    }
}
