import Foundation
import Testing
import ShellKit
import ShellKitTesting
import Timekeeping
import TranscodelyAPI
import TranscodelyShell
import TranscodelyTestSupport

/// The transcoding commands end to end against a real engine, as transcripts.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TranscodelyShellTests {
    @Test func submitShowsTheJobAndTheSameRequestIsTheSameJob() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4"])
            let id = await f.assert("submit a.mp4 --output mp4:h264:720p", prints: "job_…\n", errors: "").output.dropLast()
            await f.assert("echo $last", prints: "\(id)\n")
            await f.assert("submit a.mp4 --output mp4:h264:720p", prints: "\(id)  (already existed)\n", errors: "")
            let json = await f.assert("show $last --json").output
            let shown = try JSONDecoder().decode(Job.self, from: Data(json.utf8))
            #expect(shown.id == String(id))
        }
    }

    @Test func aBatchFromAGlobWithKeysThenWatchThenRetryFailed() async throws {
        try await withShellFixture(spec: "probe=0,encode=0.1,fail=0.3") { f in
            try f.inputs((0..<20).map { "uploads/ep-\($0).mp4" } + ["uploads/corrupt-1.mp4", "other/x.mp4"])
            await f.assert("batch 'uploads/*.mp4' --output hls:h264:720p,480p/economy --key 'nightly_{name}' --name nightly",
                           prints: "batch nightly: 21 created, 0 already existed, 0 failed (… s)\n", errors: "")
            let (watched, watchOut, _) = await f.run("watch --batch nightly --interval 0.1")
            #expect(watched == 1, "some jobs fail with fail=0.3 and corrupt")
            #expect(watchOut.contains("all 21 ended: "))
            let (_, failedList, _) = await f.run("jobs --status failed")
            #expect(failedList.contains("corrupt-1.mp4") && failedList.contains("input_unreadable"))
            // Simulated failures come again on every retry (their path's hash picks them), and a
            // corrupt input stays corrupt: nothing a retry can help, so nothing is sent unless --all.
            let (skipped, skipOut, _) = await f.run("retry-failed --batch nightly")
            #expect(skipped == 0)
            #expect(skipOut.hasPrefix("nothing to send\nskipped ") && skipOut.contains("(retry-failed --all sends them anyway)"), "\(skipOut)")
            await f.assert("retry-failed --batch nightly --all", prints: "batch nightly: … created, 0 already existed, 0 failed (… s)\n", errors: "")
            // A rerun of the same batch creates nothing new.
            await f.assert("batch 'uploads/*.mp4' --output hls:h264:720p,480p/economy --key 'nightly_{name}' --name nightly",
                           prints: "batch nightly: 0 created, 21 already existed, 0 failed (… s)\n", errors: "")
        }
    }

    @Test func dryRunSendsNothingAndBadInputIsAClearError() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4", "b.mp4"])
            await f.assert("batch a.mp4 b.mp4 --dry-run --rate 100 --burst 200", prints: """
                pacing at 100/s, burst 200: your --rate/--burst, a ceiling (the API has not said its limit yet)
                2 creates, at most 50 in flight
                t=0s: 2 at once (burst 200, kept at 95%)
                done in about 0.0 s
                  a.mp4  key tcly-…
                  b.mp4  key tcly-…

                """, errors: "")
            // Once the API has answered (here to ls), the plan says what it advertised.
            _ = await f.run("ls")
            await f.assert("batch a.mp4 b.mp4 --dry-run", prints: """
                pacing at 100/s, burst 200: the API's RateLimit-Policy (q=100;w=1)
                2 creates, at most 50 in flight
                t=0s: 2 at once (burst 200, kept at 95%)
                done in about 0.0 s
                  a.mp4  key tcly-…
                  b.mp4  key tcly-…

                """, errors: "")
            await f.assert("batch a.mp4 b.mp4 --dry-run --rate 20", prints: """
                pacing at 20/s, burst 200: your --rate/--burst, a ceiling (the API allows 100/s)
                2 creates, at most 50 in flight
                t=0s: 2 at once (burst 200, kept at 95%)
                done in about 0.0 s
                  a.mp4  key tcly-…
                  b.mp4  key tcly-…

                """, errors: "")
            await f.assert("ls", prints: "no jobs\n", errors: "")
            /// A mistake, what the user reads, and the status.
            func refused(_ line: String, _ message: String, status: Int32 = 2, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
                await f.assert(line, prints: "", errors: "error: t.tcly:1:1: \(message)\n    \(line)\n    ^\n", status: status,
                               sourceLocation: sourceLocation)
            }
            await refused("batch a.mp4 --concurrency 0", "batch: --concurrency must be 1...1000, got 0 (batch --help shows its usage)")
            await refused("batch a.mp4 --key fixed", "batch: --key: \"fixed\" has no placeholder, so every file would get the same key; add {path} or {name}")
            await refused("batch a.mp4 --key 'x_{file}'", "batch: --key: unknown placeholder {file}; use {path} {name} {stem} {date} {batch} {index}")
            await refused("submit a.mp4 --output mp4:h263:720p", "submit: --output: codec \"h263\" is not one of h264, h265, vp9, av1")
            await refused("submit a.mp4 --output hls:h264:720x",
                          "submit: --output: resolution \"720x\" is not one of 2160p, 1440p, 1080p, 720p, 480p, 360p (optionally /QUALITY)")
            await refused("submit a.mp4 --priority urgent",
                          "submit: The value 'urgent' is invalid for '--priority <priority>'. Please provide one of 'economy', 'standard' or 'premium'. (submit --help shows its usage)")
            await refused("batch 'nothing/*.mp4'", "batch: no file of origin ori_local_input matches nothing/*.mp4", status: 1)
            await refused("batch --from /nonexistent/list.txt", "batch: cannot read --from /nonexistent/list.txt: no such file or not text", status: 1)
            await refused("submit ../escape.mp4",
                          "submit: invalid_argument: input_path: \"../escape.mp4\" may not contain . or .. components; paths stay inside origin ori_local_input",
                          status: 1)
            await refused("show job_nope", "show: not_found: no job job_nope in organization org_shell", status: 1)
        }
    }

    @Test func saveWritesAScriptThatReplaysToTheSameJobs() async throws {
        try await withShellFixture() { f in
            try f.inputs(["it's.mp4", "b.mp4"])
            let script = f.data.url.appendingPathComponent("saved.tcly").path
            let (status, _, errors) = await f.run("""
                set quality economy
                batch "it's.mp4" b.mp4 --output hls:h264:720p/$quality --key 'day_{date}_{name}' --name day --meta owner=me
                submit b.mp4 --output mp4:vp9:360p --priority premium
                save \(script)
                """)
            #expect(status == 0, "\(errors)")
            let saved = try String(contentsOfFile: script, encoding: .utf8)
            #expect(saved.contains("set quality economy"))
            // The batch is one `batch` command with its items (path and literal key) in a here-document.
            let lines = saved.split(separator: "\n").map(String.init)
            let batchLine = try #require(lines.first { $0.hasPrefix("batch ") })
            #expect(batchLine == "batch --name day --input-origin ori_local_input --output-origin ori_local_output --output hls:h264:720p/economy --meta owner=me --items - <<ITEMS")
            let items = lines.drop { !$0.hasPrefix("batch ") }.dropFirst().prefix { $0 != "ITEMS" }
            #expect(items.count == 2 && items.allSatisfy { $0.contains("day_") } && items.first?.hasPrefix("'it'\\''s.mp4' 'day_") == true, "\(items)")
            #expect(!saved.contains("{date}"))
            #expect(lines.contains { $0.hasPrefix("submit b.mp4 ") && $0.contains("--priority premium") })
            let before = await f.context.session.jobs().map(\.job.id)
            // A new session (tomorrow, say) replays the script: every submit finds its job again.
            let (output, transcript) = ShellOutput.capture()
            let fresh = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, session: try ShellSession(journal: nil))
            let replay = TranscodelyCommands.shell(fresh, output: output)
            await assertScript("source \(script)", in: replay, transcript: transcript, prints: """
                batch day: 0 created, 2 already existed, 0 failed (… s)
                job_…  (already existed)

                """, errors: "")
            let replayedIDs = Set(await fresh.session.jobs().map(\.job.id))
            #expect(replayedIDs == Set(before))
            #expect(await fresh.session.jobs(batch: "day").count == 2)
            #expect(await fresh.session.batches["day"]?.keys.count == 2)
        }
    }

    @Test func sessionSaveAndLoadCarryJobsBatchesAndVariablesButNoSecret() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4", "b.mp4"])
            let file = f.data.url.appendingPathComponent("s.json").path
            await f.assert("set owner me; set token tk_abcdefghijklmnop1234; batch a.mp4 b.mp4 --name pair; session save \(file)",
                           prints: "batch pair: 2 created, 0 already existed, 0 failed (… s)\nsaved 2 job(s), 1 batch(es) to \(file)\n",
                           errors: "")
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains("\"owner\":\"me\"") && !text.contains("tk_abcdefghijklmnop1234"))
            let (output, _) = ShellOutput.capture()
            let fresh = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, session: try ShellSession(journal: nil))
            let other = TranscodelyCommands.shell(fresh, output: output)
            #expect(await other.run("session load \(file)") == 0)
            #expect(await fresh.session.jobs(batch: "pair").count == 2)
            #expect(await other.variable("owner") == "me")
            // A damaged file is a clear error and loads nothing.
            try String(text.prefix(text.count / 2)).write(toFile: file, atomically: true, encoding: .utf8)
            let (damagedOutput, damaged) = ShellOutput.capture()
            let third = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, session: try ShellSession(journal: nil))
            await assertScript("session load \(file)", in: TranscodelyCommands.shell(third, output: damagedOutput), transcript: damaged,
                               prints: "", errors: """
                error: test.script:1:1: session load: not a saved session…
                    session load \(file)
                    ^

                """, status: 1)
            #expect(await third.session.count == 0)
        }
    }

    @Test func aBackgroundBatchIsPausedResumedAndRepacedFromThePrompt() async throws {
        // The batch's pacer and the engine's rate limiter run on one test clock: what is sent when
        // is decided by the clock, not by how fast this machine happens to be.
        let clock = TestClock()
        try await withShellFixture(clock: clock.source) { f in
            try f.inputs((0..<150).map { "bg/c\($0).mp4" })
            // A shell whose creates are counted as they are sent, on the fixture's engine and session.
            let sent = CountingCreates(f.context.jobs)
            let context = TranscodelyContext(jobs: sent, origins: f.context.origins, session: f.context.session,
                                             rateLimit: f.context.rateLimit, clock: clock.source)
            let (output, transcript) = ShellOutput.capture()
            let shell = TranscodelyCommands.shell(context, output: output)
            func assert(_ script: String, prints: String, errors: String = "", status: Int32 = 0,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
                await assertScript(script, in: shell, transcript: transcript, file: "t.tcly", prints: prints, errors: errors,
                                   status: status, exactly: true, sourceLocation: sourceLocation)
            }
            /// Waits (really, 60 s at most) until `done`, moving the clock 10 ms at a time while
            /// creates travel to the real server.
            func advance(until done: () async -> Bool) async throws {
                let deadline = ContinuousClock.now + .seconds(60)
                while await !done(), ContinuousClock.now < deadline {
                    clock.advance(by: .milliseconds(10))
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            await assert("batch 'bg/*.mp4' --name bg --rate 10 --burst 5 --concurrency 2 --background",
                         prints: "batch bg: 150 creates running in the background (pause, resume, rate R, watch --batch bg)\n")
            // 95 % of the burst of 5 go at t = 0 (answered and recorded); the next waits on the
            // clock, which stands still.
            let deadline = ContinuousClock.now + .seconds(30)
            var recorded = 0
            while recorded < 4, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
                recorded = await f.context.session.jobs(batch: "bg").count
            }
            #expect(recorded == 4 && sent.count == 4)
            await assert("pause bg", prints: "batch bg: paused\n")
            // Ten seconds pass (a hundred creates' worth): the pacer wakes and, paused, sends nothing.
            clock.advance(by: .seconds(10))
            for _ in 0..<200 { await Task.yield() }
            #expect(sent.count == 4, "nothing is sent while paused")
            // 1000/s is a ceiling: the engine's standard tier says 100/s, and that is what it goes at.
            await assert("set rate 1000; rate 1000 --concurrency 8; resume",
                         prints: "batch bg: 1000/s (the API allows 100/s), 8 in flight\nbatch bg: resumed\n")
            // It ends with its summary, printed once it no longer runs.
            try await advance { transcript.output.contains("batch bg: 150 created, 0 already existed, 0 failed") }
            #expect(sent.count == 150)
            #expect(await f.context.session.jobs(batch: "bg").count == 150)
            await assert("pause", prints: "", errors: """
                error: t.tcly:1:1: pause: no batch is running; start one with batch … --background
                    pause
                    ^

                """, status: 1)
        }
    }

    @Test func theJournalRebuildsTheSessionAfterACrash() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4", "b.mp4", "c.mp4"])
            _ = await f.run("batch a.mp4 b.mp4 c.mp4 --name j")
            let ids = await f.context.session.jobs().map(\.job.id)
            let resumed = try await ShellSession.resume(from: f.journal)
            #expect(await resumed.jobs().map(\.job.id) == ids)
            #expect(await resumed.batches["j"]?.keys.count == 3)
        }
    }
}

/// Tab's candidates from a real engine and session.
@Suite(.timeLimit(.minutes(5))) struct CompletionTests {
    @Test func remotePathsJobIdsBatchesAndEnumValues() async throws {
        try await withShellFixture() { f in
            try f.inputs(["uploads/ep-1.mp4", "uploads/ep-2.mp4", "uploads/season-2/ep-1.mp4", "other.mp4"])
            _ = await f.run("batch uploads/ep-1.mp4 --name first")
            let completer = Completer(registry: f.shell.registry, source: TranscodelyCompletion(shell: f.shell))
            #expect(await completer.complete("subm").candidates == ["submit"])
            #expect(await completer.complete("batch upl").candidates == ["uploads/"])
            #expect(await completer.complete("batch uploads/").candidates == ["uploads/ep-1.mp4", "uploads/ep-2.mp4", "uploads/season-2/"])
            #expect(await completer.complete("batch x --pri").candidates == ["--priority"])
            #expect(await completer.complete("batch x --priority e").candidates == ["economy"])
            #expect(await completer.complete("status --batch ").candidates == ["first"])
            #expect(await completer.complete("submit a --output hls:").candidates.contains("hls:h264:"))
            let id = try #require(await f.context.session.jobs().first?.job.id)
            #expect(await completer.complete("show job_").candidates == [id])
        }
    }
}
