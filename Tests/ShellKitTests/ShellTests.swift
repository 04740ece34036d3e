import ArgumentParser
import Testing
@testable import ShellKit
import ShellKitTesting

/// A command of a test host: fails when asked to.
struct FlakyCommand: ShellCommand {
    static let about = CommandAbout(name: "flaky", group: "Test", summary: "succeeds or fails", example: "flaky --fail")
    @Flag var fail = false
    @Option var times: Int = 1

    mutating func run(in shell: Shell<Void>) async throws {
        if fail { throw ShellError("flaky: failed as asked") }
        shell.output.line("ok \(times)")
    }
}

/// Runs a script in a fresh shell and returns its status and transcript.
func transcript(_ script: String, file: String = "t.tcly", keepGoing: Bool? = nil) async -> (Int32, String, String) {
    let (output, captured) = ShellOutput.capture()
    let shell = Shell(registry: CommandRegistry([FlakyCommand.self]), output: output)
    let status = await shell.run(script, file: file, keepGoing: keepGoing)
    return (status, captured.output, captured.errors)
}

@Suite(.timeLimit(.minutes(5))) struct ShellTests {
    @Test func variablesExpandWhenTheCommandRuns() async {
        let (status, out, _) = await transcript("set who world; echo \"hello $who\" '$who'\nflaky --times 3; echo $status")
        #expect(status == 0)
        #expect(out == "hello world $who\nok 3\n0\n")
    }

    @Test func aScriptStopsAtTheFirstFailureUnlessKeepGoing() async {
        let (status, out, errors) = await transcript("echo one\nflaky --fail\necho three")
        #expect(status == 1 && out == "one\n")
        #expect(errors == "error: t.tcly:2:1: flaky: failed as asked\n    flaky --fail\n    ^\n")
        let (kept, keptOut, _) = await transcript("echo one\nflaky --fail\necho three", keepGoing: true)
        #expect(kept == 1 && keptOut == "one\nthree\n")
        let (_, onOut, _) = await transcript("set keep-going on\nflaky --fail\necho $status")
        #expect(onOut == "1\n")
    }

    @Test func errorsNameFileLineColumnWithACaret() async {
        await assertScript("echo a\n  submt x.mp4", commands: [FlakyCommand.self], prints: "a\n", errors: """
            error: test.script:2:3: unknown command "submt" (help lists the commands)
                  submt x.mp4
                  ^

            """, status: 2)
        await assertScript("echo $nope", errors: """
            error: test.script:1:6: $nope is not set; set it with: set nope VALUE
                echo $nope
                     ^

            """, status: 1)
        await assertScript("flaky --times many", commands: [FlakyCommand.self], prints: "", errors: """
            error: test.script:1:1: flaky: The value 'many' is invalid for '--times <times>'… (flaky --help shows its usage)
                flaky --times many
                ^

            """, status: 2)
        await assertScript("echo 'open", prints: "",
                           errors: "error: test.script:1:6: unclosed single quote; the input ended before it was closed\n", status: 2)
        await assertScript("set a.b 1", errors: """
            error: test.script:1:1: set: "a.b" is not a variable name; use letters, digits, _ and -
                set a.b 1
                ^

            """, status: 2)
        await assertScript("set y", errors: "error: test.script:1:1: set: no value for y; give one: set y VALUE\n    set y\n    ^\n", status: 2)
    }

    @Test func helpListsByGroupAndShowsOne() async {
        let (_, list, _) = await transcript("help")
        #expect(list.hasPrefix("Test:\n  flaky"))
        #expect(list.contains("Shell:\n  echo"))
        let (_, one, _) = await transcript("help flaky")
        #expect(one.contains("flaky — succeeds or fails") && one.contains("--times") && one.contains("example:\n  flaky --fail"))
        let (_, flagHelp, _) = await transcript("flaky --help")
        #expect(flagHelp == one)
        #expect(FlakyCommand.flagNames == ["--fail", "--times", "--help"])
    }

    @Test func exitStopsTheRestAndHistoryListsWhatRan() async {
        await assertScript("echo a\nhistory\nexit 3\necho never", prints: "a\n1  echo a\n", errors: "")
        await assertScript("flaky --times 2; flaky --fail", commands: [FlakyCommand.self], prints: "ok 2\n",
                           errors: "error: test.script:1:18: flaky: failed as asked\n    flaky --times 2; flaky --fail\n                     ^\n", status: 1)
    }
}
