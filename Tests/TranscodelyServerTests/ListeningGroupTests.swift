import Listening
import Testing
import TranscodelyTestSupport

/// The bind-and-wait every server in a process shares (the engine's, the shell's webhook listener,
/// the tests' webhook sink): a second bind of a busy port throws `.addressInUse` by code, and the
/// first server goes on.
@Suite(.timeLimit(.minutes(2))) struct ListeningGroupTests {
    @Test func aSecondBindOfABusyPortIsAddressInUseAndTheFirstStaysUp() async throws {
        try await WebhookSink.with { first in
            do {
                let second = try await WebhookSink(port: first.port)
                await second.stop()
                Issue.record("a second server listened on the busy port \(first.port)")
            } catch let error as ListenError {
                #expect(error.code == .addressInUse)
                #expect(error.description == "127.0.0.1:\(first.port) is already in use")
            }
            // Still answering: an unknown path is a 404 from the first server.
            #expect(try await APICaller(baseURL: "http://127.0.0.1:\(first.port)", key: nil, org: nil).get("/nothing").status == 404)
        }
    }
}
