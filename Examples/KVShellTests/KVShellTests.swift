import ShellKit
import ShellKitTesting
import Testing
@testable import kvshell

/// The embedding example, as a user sees it: a transcript through its commands and ShellKit's.
@Suite(.timeLimit(.minutes(1))) struct KVShellTests {
    @Test func aTranscriptThroughTheStore() async {
        let (output, transcript) = ShellOutput.capture()
        let shell = KVShell.shell(output: output)
        await assertScript("""
            put greeting hello
            put letter <<END
            Dear reader,
              thanks.
            END
            get greeting; keys
            set who world; put $who "hello $who"; get world
            """, in: shell, transcript: transcript, prints: "hello\ngreeting\nletter\nhello world\n", errors: "")
        await assertScript("get letter", in: shell, transcript: transcript, prints: "Dear reader,\n  thanks.\n")
        await assertScript("del greeting; keys", in: shell, transcript: transcript, prints: "letter\nworld\n")
        await assertScript("get greeting", in: shell, transcript: transcript, prints: "",
                           errors: "error: test.script:1:1: get: no key greeting; keys lists them\n    get greeting\n    ^\n", status: 1)
        await assertScript("put lonely", in: shell, transcript: transcript,
                           errors: "error: test.script:1:1: put: no value for lonely; give one: put lonely VALUE, or put lonely <<END\n    put lonely\n    ^\n",
                           status: 2)
        let help = await runScript("help", in: shell, transcript: transcript)
        #expect(help.output.hasPrefix("Store:\n  del "))
    }

    @Test func theHostSaysItsPromptAndItsSecrets() {
        #expect(KVShell.profile.prompt == "kv> ")
        #expect(KVShell.profile.redaction.redact("put db url?password=hunter2") == "put db url?***")
    }
}
