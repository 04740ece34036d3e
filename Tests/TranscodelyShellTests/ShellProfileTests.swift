import BatchKit
import Foundation
import ShellKit
import ShellKitTesting
import Testing
@testable import TranscodelyShell

/// What the transcoding host tells ShellKit: its secrets never reach history, and `set rate`
/// behaves as `rate` does.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ShellProfileTests {
    @Test func historyNeverKeepsASecret() {
        let redaction = TranscodelyCommands.profile.redaction
        #expect(redaction.redact("tcly --api-key tk_live_secret_123 -c ls") == "tcly --api-key *** -c ls")
        #expect(redaction.redact("x --api-key='quoted secret' y") == "x --api-key=*** y")
        #expect(redaction.redact("set key tk_AbCdEfGhIjKlMnOpQrSt") == "set key ***")
        #expect(redaction.redact("echo whsec_c2VjcmV0c2VjcmV0") == "echo ***")
        #expect(redaction.redact("submit a.mp4 --key batch_tk_1") == "submit a.mp4 --key batch_tk_1")
        #expect(TranscodelyCommands.profile.prompt == "tcly> ")
    }

    @Test func setRateIsCheckedAsRateIsAndAppliedInOrder() async throws {
        try await withShellFixture() { f in
            for value in ["abc", "0", "100001"] {
                let set = await f.assert("set rate \(value)", prints: "", status: 2)
                let rate = await f.assert("rate \(value)", prints: "", status: 2)
                // The same words (then each its own line and caret).
                #expect(set.errors.split(separator: "\n").first == rate.errors.split(separator: "\n").first, "\(set.errors)")
                #expect(await f.shell.variable("rate") == nil, "a refused value is not kept")
            }
            // With no batch running, a good value is only a variable.
            await f.assert("set rate 50; echo $rate", prints: "50\n", errors: "")
            // A background batch, paused: twenty `set rate` in a row leave it at the last.
            try f.inputs((0..<20).map { "r/\($0).mp4" })
            await f.assert("batch 'r/*.mp4' --name r --rate 1 --burst 1 --concurrency 1 --background; pause r",
                           prints: "batch r: 20 creates running in the background (pause, resume, rate R, watch --batch r)\nbatch r: paused\n")
            await f.assert((1...20).map { "set rate \($0)" }.joined(separator: "; "), prints: "", errors: "")
            let (_, pacer) = try f.context.runningPacer("r")
            #expect(await pacer.settings.rate == 20)
            await f.assert("set rate 100; resume r", prints: "batch r: resumed\n")
            // Twenty creates one at a time: well under a second alone, but a loaded CI machine has
            // been seen to take over 30 s (each answer slowed fifty-fold), so the deadline is generous.
            let deadline = ContinuousClock.now + .seconds(120)
            while await f.context.session.jobs(batch: "r").count < 20, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(await f.context.session.jobs(batch: "r").count == 20)
        }
    }
}
