import Foundation
import Synchronization
import Testing
import ShellKit
import ShellKitTesting
import Timekeeping
import TranscodelyAPI
import TranscodelyClient
import TranscodelyShell
import TranscodelyTestSupport

/// `wait` against a real engine, its ticks driven by a `TestClock`: status 0 when the jobs reached
/// the condition, 1 when one failed or was canceled, 124 when the timeout passed; one List per
/// tick; pushed events instead of polls when a `listen` runs.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WaitTests {
    /// A command running in the background, and what it returned once it has.
    final class Running: Sendable {
        let result = Mutex<(status: Int32, output: String, errors: String)?>(nil)
        var done: Bool { result.withLock { $0 != nil } }
        init(_ shell: CountedShell, _ script: String) {
            Task { [self] in
                let outcome = await shell.run(script)
                result.withLock { $0 = outcome }
            }
        }
    }

    /// Drives `running` on `clock`: each time it sleeps, once `ready` holds (real work it waits
    /// for), moves the clock by `tick`. Returns the ticks given and what the command returned.
    func drive(_ running: Running, _ clock: TestClock, tick: Duration = .seconds(1),
               ready: () async throws -> Bool = { true },
               each: (Int) -> Void = { _ in }) async throws -> (ticks: Int, result: (status: Int32, output: String, errors: String)) {
        var ticks = 0
        while true {
            #expect(await eventually { running.done || clock.sleeping >= 1 }, "the wait neither ended nor slept")
            if let result = running.result.withLock({ $0 }) { return (ticks, result) }
            each(ticks)
            #expect(try await eventually { try await ready() }, "what the wait waits for never happened")
            clock.advance(by: tick)
            ticks += 1
        }
    }

    /// Whether every job of the session's batch has ended on the server.
    func ended(_ f: ShellFixture, _ batch: String) async throws -> Bool {
        let ids = Set(await f.context.session.jobs(batch: batch).map(\.job.id))
        let jobs = try await f.context.jobs.list(ListJobsRequest(pageSize: 1000)).jobs.filter { ids.contains($0.id) }
        return jobs.count == ids.count && jobs.allSatisfy(\.status.isTerminal)
    }

    @Test func reachedIsZeroWithOneListPerTick() async throws {
        // Encodes of 3 s (real time; the shell's ticks are on the test clock): the first poll finds
        // them unfinished even on a loaded machine, so the wait ticks.
        try await withShellFixture(spec: "probe=0,encode=3") { f in
            try f.inputs(["a.mp4", "b.mp4", "c.mp4"])
            await f.assert("batch a.mp4 b.mp4 c.mp4 --name w", prints: "batch w: 3 created, 0 already existed, 0 failed (… s)\n", errors: "")
            let clock = TestClock()
            let counted = CountedShell(f, clock: clock.source)
            let running = Running(counted, "wait --batch w --timeout 1h")
            let (ticks, result) = try await drive(running, clock, ready: { try await ended(f, "w") }, each: { ticks in
                // Asleep after its first poll and after each tick's: one List each (one page).
                #expect(counted.jobs.lists == ticks + 1)
            })
            #expect(result.status == 0, "\(result.errors)")
            #expect(ticks >= 1 && counted.jobs.lists == ticks + 1)
            #expect(result.output == "wait: all completed after \(ticks)s: 3 jobs, 3 completed\n", "printed nothing while it waited")
            #expect(result.errors == "")
            #expect(await f.context.session.jobs(batch: "w").allSatisfy { $0.job.status == .completed }, "the session saw the ends")
        }
    }

    @Test func aFailedOrCanceledJobIsOneUnderCompletedAndZeroUnderEnded() async throws {
        try await withShellFixture() { f in
            try f.inputs(["ok.mp4", "corrupt.mp4"])
            await f.assert("batch ok.mp4 corrupt.mp4 --name f", prints: "batch f: 2 created, 0 already existed, 0 failed (… s)\n", errors: "")
            #expect(try await eventually { try await ended(f, "f") })
            let clock = TestClock()
            let counted = CountedShell(f, clock: clock.source)
            // Every job has ended: the first poll decides, with no tick.
            let failed = await counted.run("wait --batch f")
            #expect(failed.status == 1 && counted.jobs.lists == 1)
            let corrupt = try #require(await f.context.session.jobs(batch: "f").first { $0.job.inputPath == "corrupt.mp4" }).job.id
            #expect(failed.output == "wait: not all completed after 0s: 2 jobs, 1 completed, 1 failed\n")
            #expect(failed.errors.hasPrefix("error: t.tcly:1:1: wait: 1 job(s) failed or were canceled (first \(corrupt)); why \(corrupt) says why"))
            let anyEnd = await counted.run("wait --batch f --for ended --json")
            #expect(anyEnd.status == 0, "\(anyEnd.errors)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(anyEnd.output.utf8)) as? [String: Any])
            #expect(document["reached"] as? Bool == true && document["status"] as? Int == 0 && document["jobs"] as? Int == 2)
            #expect(document["failed"] as? [String] == [corrupt] && (document["counts"] as? [String: Int])?["completed"] == 1)
            #expect(anyEnd.output.split(separator: "\n").count == 1, "one document")
            let unknown = await counted.run("wait job_nope")
            #expect(unknown.status == 1 && unknown.errors.contains("wait: no job job_nope in this organization"))
            await f.assert("wait", prints: "", errors: "error: t.tcly:1:1: wait: name what to wait for: JOB..., --batch B or --all (wait --help shows its usage)\n    wait\n    ^\n",
                           status: 2)
        }
        // A job canceled while it is waited for.
        try await withShellFixture(spec: "probe=0,encode=600") { f in
            try f.inputs(["slow.mp4"])
            await f.assert("submit slow.mp4", prints: "job_…\n", errors: "")
            let id = try #require(await f.shell.variable("last"))
            let clock = TestClock()
            let counted = CountedShell(f, clock: clock.source)
            let running = Running(counted, "wait \(id)")
            var canceled = false
            let (ticks, result) = try await drive(running, clock, ready: {
                if !canceled { _ = try await f.context.jobs.cancel(id: id); canceled = true }
                return true
            })
            #expect(result.status == 1 && ticks == 1 && counted.jobs.lists == 2)
            #expect(result.output == "wait: not all completed after 1s: 1 job, 1 canceled\n")
        }
    }

    @Test func theTimeoutPassingIs124AsTimeoutSaysIt() async throws {
        try await withShellFixture(spec: "probe=0,encode=600") { f in
            try f.inputs(["slow.mp4"])
            await f.assert("submit slow.mp4", prints: "job_…\n", errors: "")
            let id = try #require(await f.shell.variable("last"))
            let clock = TestClock()
            let counted = CountedShell(f, clock: clock.source)
            let running = Running(counted, "wait \(id) --timeout 3s; echo not reached")
            let (ticks, result) = try await drive(running, clock)
            #expect(result.status == 124 && ticks == 3)
            #expect(counted.jobs.lists == 4, "the first poll, and one a tick: at 1 s, 2 s and 3 s")
            #expect(TranscriptPattern("wait: timed out after 3s: 1 job, 1 …\n").matches(result.output), "\(result.output)")
            #expect(result.errors == "error: t.tcly:1:1: wait: timed out after 3s; 1 job(s) not ended yet; wait again, or watch them\n    wait \(id) --timeout 3s; echo not reached\n    ^\n")
            #expect(await counted.shell.variable("status") == "124")
            // --timeout 0 looks once.
            #expect(await counted.run("wait \(id) --timeout 0").status == 124 && counted.jobs.lists == 5)
            _ = try await f.context.jobs.cancel(id: id)
        }
    }

    @Test func withAListenRunningPushedEventsEndTheWaitWithoutPolling() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4", "b.mp4"])
            // The receiver checks signatures against its clock: the system's, as the engine's.
            let counted = CountedShell(f)
            let listening = await counted.run("listen 0")
            #expect(listening.status == 0, "\(listening.errors)")
            await f.assert("batch a.mp4 b.mp4 --name hooked", prints: "batch hooked: 2 created, 0 already existed, 0 failed (… s)\n", errors: "")
            // A poll only after a minute of silence: the events, not polls, end it.
            let waited = await counted.run("wait --batch hooked --interval 60 --timeout 60s")
            #expect(waited.status == 0, "\(waited.errors)")
            #expect(counted.jobs.lists == 1, "only the first poll")
            #expect(TranscriptPattern("wait: all completed after …: 2 jobs, 2 completed\n").matches(waited.output), "\(waited.output)")
            await counted.context.stopListening()
        }
    }

    @Test func tabCompletesWaitAndRetryFailed() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4"])
            await f.assert("submit a.mp4", prints: "job_…\n", errors: "")
            await f.assert("preset small mp4:h264:480p", errors: "")
            let id = try #require(await f.shell.variable("last"))
            let completer = Completer(registry: f.shell.registry, source: TranscodelyCompletion(shell: f.shell))
            #expect(await completer.complete("wai").candidates == ["wait"])
            #expect(await completer.complete("wait job_").candidates == [id])
            #expect(await completer.complete("wait --f").candidates == ["--for"])
            #expect(await completer.complete("wait x --for ").candidates == ["completed", "ended"])
            #expect(await completer.complete("wait x --ti").candidates == ["--timeout"])
            #expect(await completer.complete("retry-failed job_").candidates == [id])
            #expect(await completer.complete("retry-failed x --pre").candidates == ["--preset"])
            #expect(await completer.complete("retry-failed x --preset ").candidates == ["small"])
            #expect(await completer.complete("retry-failed x --priority p").candidates == ["premium"])
            let help = await f.assert("help wait").output
            #expect(help.contains("--for <condition>") && help.contains("wait --batch nightly --timeout 2h"))
        }
    }
}
