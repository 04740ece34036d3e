import Foundation
import Testing
import BatchKit
import ShellKit
import ShellKitTesting
import TranscodelyAPI
import TranscodelyShell
import TranscodelyTestSupport

/// `retry-failed` against a real engine: it resends only what can succeed (a corrupt input is
/// skipped, a missing input is checked with one ListFiles per folder), and a resubmission with
/// changes gets its own key, chained to the original and replayed to the same job.
@Suite(.serialized, .timeLimit(.minutes(5))) struct RetryFailedTests {
    @Test func resendsOnlyWhatCanSucceedAndSaysWhatItSkipped() async throws {
        try await withShellFixture() { f in
            try f.inputs(["mixed/corrupt.mp4"])
            await f.assert("batch mixed/later.mp4 mixed/gone.mp4 mixed/corrupt.mp4 --name mixed --key 'mixed_{stem}'",
                           prints: "batch mixed: 3 created, 0 already existed, 0 failed (… s)\n", errors: "")
            await f.assert("wait --batch mixed --for ended --interval 0.05 --timeout 60s",
                           prints: "wait: all ended after …: 3 jobs, 3 failed\n", errors: "")
            let codes = Dictionary(await f.context.session.jobs(batch: "mixed").map { ($0.job.inputPath, $0.job.error?.code) },
                                   uniquingKeysWith: { a, _ in a })
            #expect(codes == ["mixed/later.mp4": "input_not_found", "mixed/gone.mp4": "input_not_found",
                              "mixed/corrupt.mp4": "input_unreadable"])
            // One missing input turns up; the other stays missing.
            try f.inputs(["mixed/later.mp4"])
            let counted = CountedShell(f)
            let retried = await counted.run("retry-failed --batch mixed")
            #expect(retried.status == 0, "\(retried.errors)")
            #expect(counted.jobs.creates == 1, "only the input that exists now is sent")
            #expect(counted.origins.listFiles == 1, "one ListFiles for the folder mixed/, not one per job")
            let corrupt = try #require(await f.context.session.jobs(batch: "mixed").first { $0.job.inputPath == "mixed/corrupt.mp4" })
            let gone = try #require(await f.context.session.jobs(batch: "mixed").first { $0.job.inputPath == "mixed/gone.mp4" })
            #expect(TranscriptPattern("""
                batch mixed: 1 created, 0 already existed, 0 failed (… s)
                skipped 1 failed job a retry cannot help (retry-failed --all sends them anyway):
                  input_unreadable  1 job (input failure, not retryable), first \(corrupt.job.id) mixed/corrupt.mp4: …
                1 input still missing, not sent (put it in place, then retry-failed again):
                  ori_local_input:mixed/gone.mp4  \(gone.job.id)

                """).matches(retried.output), "\(retried.output)")
            let retry = try #require(await f.context.session.jobs(batch: "mixed").first { $0.retryOf != nil })
            #expect(retry.request.idempotencyKey == "mixed_later~retry-1" && retry.request.inputPath == "mixed/later.mp4")
            // Nothing new can succeed: nothing is sent.
            let again = await counted.run("retry-failed --batch mixed")
            #expect(again.status == 0 && counted.jobs.creates == 1)
            #expect(again.output.hasPrefix("nothing to send\nskipped 1 failed job"), "\(again.output)")
            // --all sends them anyway, unchecked.
            let all = await counted.run("retry-failed --batch mixed --all")
            #expect(all.status == 0, "\(all.errors)")
            #expect(counted.jobs.creates == 3 && counted.origins.listFiles == 2)
            #expect(TranscriptPattern("batch mixed: 2 created, 0 already existed, 0 failed (… s)\n").matches(all.output), "\(all.output)")
            let keys = Set(await f.context.session.jobs(batch: "mixed").compactMap(\.request.idempotencyKey))
            #expect(keys.isSuperset(of: ["mixed_gone~retry-1", "mixed_corrupt~retry-1"]))
            // status shows the newest attempt of each item.
            let table = await f.assert("status --batch mixed --json").output
            let shown = try JSONDecoder().decode([Job].self, from: Data(table.utf8))
            #expect(shown.count == 3 && shown.allSatisfy { $0.idempotencyKey?.hasSuffix("~retry-1") == true })
        }
    }

    @Test func aChangedResubmissionGetsItsOwnKeyShowsItsChainAndReplays() async throws {
        try await withShellFixture() { f in
            try f.inputs(["other.mp4"])
            // Two jobs whose inputs are missing, then turn up.
            await f.assert("submit ep.mp4 --key ep", prints: "job_…\n", errors: "")
            let first = try #require(await f.shell.variable("last"))
            await f.assert("submit ep2.mp4 --key ep2", prints: "job_…\n", errors: "")
            let second = try #require(await f.shell.variable("last"))
            await f.assert("wait \(first) \(second) --for ended --interval 0.05 --timeout 60s",
                           prints: "wait: all ended after …: 2 jobs, 2 failed\n", errors: "")
            try f.inputs(["ep.mp4", "ep2.mp4"])
            await f.assert("retry-failed \(first) --priority premium", prints: "batch retry: 1 created, 0 already existed, 0 failed (… s)\n", errors: "")
            let premium = try #require(await f.context.session.newest(of: first))
            var changed = await f.context.session.entry(id: first)!.request
            changed.priority = .premium
            #expect(premium.request.idempotencyKey == "ep~retry-1+" + RetryFailed.digest(of: changed))
            #expect(premium.request.priority == .premium && premium.retryOf == first)
            await f.assert("retry-failed \(second) --output mp4:h264:480p", prints: "batch retry: 1 created, 0 already existed, 0 failed (… s)\n", errors: "")
            let smaller = try #require(await f.context.session.newest(of: second))
            #expect(smaller.request.idempotencyKey!.hasPrefix("ep2~retry-1+") && smaller.request.outputs.first?.video.first?.resolution == .r480p)
            // The plain retry's key would be another one.
            #expect(premium.request.idempotencyKey != "ep~retry-1")
            // A job retried already: its newest attempt is what a retry would concern.
            await f.assert("wait \(premium.job.id) --interval 0.05 --timeout 60s", prints: "wait: all completed after …: 1 job, 1 completed\n", errors: "")
            await f.assert("retry-failed \(first)", prints: "", errors: """
                error: t.tcly:1:1: retry-failed: \(first) was retried already: its newest attempt \(premium.job.id) (\(premium.request.idempotencyKey!)) is completed; show \(premium.job.id) follows it
                    retry-failed \(first)
                    ^

                """, status: 1)
            // show: the chain, original first.
            let shown = await f.assert("show \(premium.job.id)").output
            let key = premium.request.idempotencyKey!
            let ep = "ep" + String(repeating: " ", count: key.count - 2)
            #expect(shown.hasSuffix("""
                chain     \(first)  \(ep)  failed
                          \(premium.job.id)  \(key)  completed  (this job)

                """), "\(shown)")
            let original = await f.assert("show \(first)").output
            #expect(original.hasSuffix("chain     \(first)  \(ep)  failed  (this job)\n          \(premium.job.id)  \(key)  completed\n"), "\(original)")

            // The typed commands again, in a fresh session: the same jobs.
            let (output, transcript) = ShellOutput.capture()
            let fresh = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, session: try ShellSession(journal: nil))
            let replay = TranscodelyCommands.shell(fresh, output: output)
            #expect(await replay.run("submit ep.mp4 --key ep; retry-failed $last --priority premium --all") == 0, "\(transcript.errors)")
            #expect(transcript.output.contains("0 created, 1 already existed"), "\(transcript.output)")
            #expect(await fresh.session.jobs().map(\.job.id).contains(premium.job.id))

            // A saved session replays to the same jobs.
            let script = f.data.url.appendingPathComponent("retries.tcly").path
            await f.assert("save \(script)", prints: "saved … job(s), … batch(es) to \(script)\n", errors: "")
            let (savedOutput, savedTranscript) = ShellOutput.capture()
            let saved = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, session: try ShellSession(journal: nil))
            let savedShell = TranscodelyCommands.shell(saved, output: savedOutput)
            #expect(await savedShell.run("source \(script)") == 0, "\(savedTranscript.errors)")
            let before = Set(await f.context.session.jobs().map(\.job.id))
            let after = Set(await saved.session.jobs().map(\.job.id))
            #expect(after == before && after.contains(premium.job.id) && after.contains(smaller.job.id))
            #expect(savedTranscript.output.split(separator: "\n").allSatisfy { $0.hasSuffix("(already existed)") }, "\(savedTranscript.output)")
            // A saved script keeps the keys, not the links: show tells the retry from its key.
            #expect(await savedShell.run("show \(premium.job.id)") == 0)
            #expect(savedTranscript.output.hasSuffix("chain     retry 1 of ep, changed (\(RetryFailed.change(of: key)!)); this session does not know the earlier attempts\n"),
                    "\(savedTranscript.output)")
        }
    }
}
