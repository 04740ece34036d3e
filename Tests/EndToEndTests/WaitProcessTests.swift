import Foundation
import Testing
import TranscodelyTestSupport

/// The status of `wait` reaches the caller of `tcly -c` and `tcly run`: 124 for a timeout (as
/// timeout(1)), 1 for a failure, 0 when reached.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WaitProcessTests {
    @Test func aTimedOutWaitExits124AndAFailedOneExits1() async throws {
        let home = try TemporaryDirectory("wait")
        defer { home.remove() }
        try home.write("data/tcly/engine/origins/input/ep-1.mp4", "x")
        let environment = ["XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state"]
        // A simulated probe takes 0.2 s: a timeout of 0 looks once, before it ends.
        let (timedOut, out, errors) = try await TclyProcess.run(
            ["--encoder", "simulate", "-c", "submit ep-1.mp4 --key w1; wait $last --timeout 0"], environment: environment)
        #expect(timedOut == 124, "\(errors)")
        // The elapsed time is the real clock's: 0s, or a tenth or two on a loaded machine.
        #expect(out.contains("wait: timed out after ") && out.contains("s: 1 job, "), "\(out)")
        #expect(errors.contains("wait: timed out after ") && errors.contains("s; 1 job(s) not ended yet"), "\(errors)")

        try home.write("script.tcly", "submit missing.mp4 --key w2\nwait $last --timeout 60s --interval 0.1\necho never\n")
        let (failed, scriptOut, scriptErrors) = try await TclyProcess.run(["run", home.path + "/script.tcly", "--encoder", "simulate"],
                                                                    environment: environment)
        #expect(failed == 1, "\(scriptErrors)")
        #expect(scriptOut.contains("wait: not all completed after ") && !scriptOut.contains("never"))

        let (reached, reachedOut, reachedErrors) = try await TclyProcess.run(
            ["--encoder", "simulate", "-c", "submit ep-1.mp4 --key w1; wait $last --timeout 60s --interval 0.1"], environment: environment)
        #expect(reached == 0, "\(reachedErrors)")
        #expect(reachedOut.contains("wait: all completed after "))
    }
}
