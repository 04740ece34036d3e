import Foundation
import ShellKitTesting
import Testing
import ShellKit
import TranscodelyAPI
import TranscodelyShell
import TranscodelyTestSupport

/// Saved scripts of both forms replay to the same jobs; a batch's items in a here-document are
/// checked line by line before anything is sent.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SaveReplayTests {
    @Test func aSavedFileOfTheOldFormStillReplays() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4", "b.mp4"])
            let (status, _, errors) = await f.run("batch a.mp4 b.mp4 --name old --key 'old_{name}'")
            #expect(status == 0, "\(errors)")
            // What save wrote before batches were saved whole: one submit per job.
            let script = f.data.url.appendingPathComponent("old.tcly").path
            try """
                # tcly session saved 2026-11-30 10:00:00 +0000
                submit a.mp4 --input-origin ori_local_input --output-origin ori_local_output --output mp4:h264:720p --batch old --key old_a.mp4
                submit b.mp4 --input-origin ori_local_input --output-origin ori_local_output --output mp4:h264:720p --batch old --key old_b.mp4
                """.write(toFile: script, atomically: true, encoding: .utf8)
            let (output, transcript) = ShellOutput.capture()
            let fresh = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, session: try ShellSession(journal: nil))
            #expect(await TranscodelyCommands.shell(fresh, output: output).run("source \(script)") == 0, "\(transcript.errors)")
            #expect(transcript.output.split(separator: "\n").filter { $0.hasSuffix("(already existed)") }.count == 2)
            let original = Set(await f.context.session.jobs(batch: "old").map(\.job.id))
            let replayed = Set(await fresh.session.jobs(batch: "old").map(\.job.id))
            #expect(original.count == 2 && replayed == original)
        }
    }

    @Test func itemsInAHereDocumentAreCheckedLineByLine() async throws {
        try await withShellFixture() { f in
            try f.inputs(["a.mp4", "b c.mp4"])
            await f.assert("""
                batch --name inline --items - <<END
                a.mp4 inline_a
                # a comment line
                'b c.mp4' inline_bc
                END
                echo after
                """, prints: "batch inline: 2 created, 0 already existed, 0 failed (… s)\nafter\n", errors: "")
            let keys = Set(await f.context.session.jobs(batch: "inline").compactMap(\.request.idempotencyKey))
            #expect(keys == ["inline_a", "inline_bc"])
            await f.assert("batch --items - <<END\na.mp4 k1 extra\nEND", prints: "", errors: """
                error: t.tcly:2:10: batch: an item is PATH [KEY], and this line has 3 words; quote a path that holds blanks
                    a.mp4 k1 extra
                             ^

                """, status: 2)
            await f.assert("batch --items - <<END\na.mp4 $k\nEND", prints: "", errors: """
                error: t.tcly:2:7: batch: items are taken literally; quote a $ in a path or key ('…')
                    a.mp4 $k
                          ^

                """, status: 2, exactly: true)
            await f.assert("batch --items - <<END\na.mp4 'k\nEND", prints: "", errors: """
                error: t.tcly:2:7: unclosed single quote; the input ended before it was closed
                    a.mp4 'k
                          ^

                """, status: 2)
            await f.assert("batch --items -", prints: "", errors: """
                error: t.tcly:1:1: batch: --items - reads the command's here-document, and it has none; end the line with <<ITEMS, then the lines, then ITEMS
                    batch --items -
                    ^

                """, status: 2)
            await f.assert("batch a.mp4 <<END\na.mp4", prints: "", errors: """
                error: t.tcly:1:13: here-document <<END is not closed: end it with a line holding only END; the input ended before it was closed

                """, status: 2)
            await f.assert("<<END batch\nEND", prints: "", errors: """
                error: t.tcly:1:1: a here-document (<<WORD) comes after the command it feeds
                    <<END batch
                    ^

                """, status: 2)
            let count = await f.context.session.jobs().count
            #expect(count == 2, "a refused batch sends nothing")
        }
    }
}
