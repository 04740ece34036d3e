import Foundation
import ShellKitTesting
import Testing
import TranscodelyAPI
import TranscodelyServer
import TranscodelyShell
import TranscodelyTestSupport

/// `why` against a real engine encoding with ffmpeg, on bad inputs made by the test: the verdict,
/// where it broke, ffmpeg's own words, the command, and the next commands to run.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WhyTests {
    @Test func whyExplainsAJobAndABatchInFFmpegsOwnWords() async throws {
        try await withShellFixture(encoder: .ffmpeg(threads: 0)) { f in
            let clip = f.data.url.appendingPathComponent("origins/input/uploads/cut.mp4")
            try await MediaSamples.clip(clip, seconds: 10)
            try MediaSamples.truncate(clip, to: 0.6)
            try f.data.write("origins/input/uploads/notes.mp4", "not media at all\n")
            for name in ["cut", "notes", "absent"] {
                await f.assert("submit uploads/\(name).mp4 --output mp4:h264:360p --batch bad --key bad-\(name)", prints: "job_…\n", errors: "")
            }
            #expect(await f.run("watch --batch bad --interval 0.1").0 == 1)
            let jobs = await f.context.session.jobs(batch: "bad").map(\.job)
            let cut = try #require(jobs.first { $0.inputPath == "uploads/cut.mp4" }).id
            let absent = try #require(jobs.first { $0.inputPath == "uploads/absent.mp4" }).id

            let (status, text, _) = await f.run("why \(cut)")
            #expect(status == 0)
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first == "\(cut)  failed  input_unreadable (input): the input is not readable media (empty, not media, truncated or damaged); a retry of the same request will not help",
                    "\(text)")
            let location = try #require(lines.first { $0.hasPrefix("where     decode, at ") }, "\(text)")
            // The cut falls at ~60 % of the bytes; the media ends near 6 s (the engine test measures it exactly).
            let percent = Int(location.split(separator: "(").last?.dropLast(2) ?? "") ?? 0
            #expect(location.contains(" s of 10.0 s (") && (50...70).contains(percent), "\(location)")
            #expect(lines.contains { $0.hasPrefix("said      ffmpeg ") && $0.hasSuffix(", attempt 1:") }, "\(text)")
            #expect(lines.contains { $0.hasPrefix("            ") && $0.contains("partial file") }, "ffmpeg's own words: \(text)")
            #expect(lines.contains { $0.hasPrefix("command   ffprobe ") && $0.hasSuffix(" uploads/cut.mp4") }, "\(text)")
            #expect(lines.contains("attempts  #1 failed after " + (lines.first { $0.hasPrefix("attempts  #1 failed after ") }?.dropFirst(26) ?? "")))
            #expect(lines.last?.hasPrefix("next      ffprobe the input (ori_local_input:uploads/cut.mp4); replace it, then: retry-failed \(cut) --all") == true,
                    "\(text)")
            #expect(!text.contains(f.data.url.path), "why shows an absolute path: \(text)")

            await f.assert("why \(absent)", prints: """
                \(absent)  failed  input_not_found (input): the input file is not in its origin; a retry may succeed
                where     probe
                message   uploads/absent.mp4 does not exist in origin ori_local_input
                said      the engine, attempt 1:
                            engine: uploads/absent.mp4 does not exist in origin ori_local_input; no tool was run
                attempts  #1 failed after … s
                next      files ori_local_input uploads/
                          retry-failed \(absent)

                """, errors: "")

            let json = await f.assert("why \(cut) --json", errors: "").output
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(document["job"] as? String == cut && document["code"] as? String == "input_unreadable")
            #expect(document["category"] as? String == "input" && document["retryable"] as? Bool == false && document["phase"] as? String == "decode")
            #expect(abs((document["position_seconds"] as? Double ?? 0) - 5.9) < 1.5 && document["duration_seconds"] as? Double == 10)
            #expect((document["lines"] as? [String])?.contains { $0.contains("partial file") } == true)
            #expect((document["command"] as? [String])?.last == "uploads/cut.mp4")
            #expect((document["attempts"] as? [[String: Any]])?.count == 1 && (document["next"] as? [String])?.isEmpty == false)

            // A capture of why's document, read by field path (ShellKit's --set, nothing in why for it).
            await f.assert("why \(cut) --set w; echo ${w.phase} ${w.retryable} ${w.attempts.length}", prints: "decode false 1\n", errors: "")

            await f.assert("why --batch bad", prints: """
                batch bad: 3 of 3 job(s) failed, 3 cause(s)
                COUNT  CODE              PHASE   RETRY       FIRST                                          NEXT
                1      input_unreadable  decode  won't help  \(cut) uploads/cut.mp4     why \(cut); replace the inputs, then retry-failed --batch bad --all
                1      input_unreadable  probe   won't help  … uploads/notes.mp4   why …; replace the inputs, then retry-failed --batch bad --all
                1      input_not_found   probe   may help    \(absent) uploads/absent.mp4  retry-failed --batch bad (sends those whose input exists now)

                """, errors: "")
            // Without a job: the session's newest failure.
            #expect(await f.run("why").1.hasPrefix("\(absent)  failed  input_not_found "))
            await f.assert("why --batch nope", errors: """
                error: t.tcly:1:1: why: no batch "nope" in this session (jobs lists them)
                    why --batch nope
                    ^

                """, status: 2)
        }
    }
}
