import Testing
@testable import ShellKit

@Suite(.timeLimit(.minutes(5))) struct LineEditingTests {
    @Test func historyNeverKeepsASecret() {
        #expect(HistoryRedaction.redact("tcly --api-key tk_live_secret_123 -c ls") == "tcly --api-key *** -c ls")
        #expect(HistoryRedaction.redact("x --api-key='quoted secret' y") == "x --api-key=*** y")
        #expect(HistoryRedaction.redact("set key tk_AbCdEfGhIjKlMnOpQrSt") == "set key ***")
        #expect(HistoryRedaction.redact("echo whsec_c2VjcmV0c2VjcmV0") == "echo ***")
        #expect(HistoryRedaction.redact("submit a.mp4 --key batch_tk_1") == "submit a.mp4 --key batch_tk_1")
    }

    @Test func completionOffersCommandsThenFlagsThenValues() async {
        let completer = Completer(registry: CommandRegistry([FlakyCommand.self]), source: nil)
        #expect(await completer.complete("fl").candidates == ["flaky"])
        #expect(await completer.complete("").candidates == ["flaky"])
        #expect(await completer.complete("flaky --t").candidates == ["--times"])
        #expect(await completer.complete("echo a; fl").candidates == ["flaky"])
        #expect(await completer.complete("nosuch --").candidates.isEmpty)
        #expect(Completer.commonPrefix(["uploads/ep-1.mp4", "uploads/ep-2.mp4"]) == "uploads/ep-")
        #expect(FlakyCommand.optionNames == ["--times"])
    }
}
