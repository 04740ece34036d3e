import Testing
@testable import ShellKit

@Suite(.timeLimit(.minutes(5))) struct LineEditingTests {
    @Test func historyKeepsNoSecretTheHostNames() {
        let redaction = HistoryRedaction(options: ["--password"], patterns: [#"\bpw_[a-z0-9]{6,}"#])
        #expect(redaction.redact("login --password hunter2 -v") == "login --password *** -v")
        #expect(redaction.redact("x --password='quoted secret' y") == "x --password=*** y")
        #expect(redaction.redact("x --password=\"quoted secret\" y") == "x --password=*** y")
        #expect(redaction.redact("set p pw_abcdef123") == "set p ***")
        #expect(redaction.redact("put key_pw_1 --pass word") == "put key_pw_1 --pass word")
        #expect(HistoryRedaction.none.redact("login --password hunter2") == "login --password hunter2")
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
