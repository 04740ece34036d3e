import ArgumentParser
import Testing
@testable import ShellKit
import ShellKitTesting

/// A command of a test host with a JSON answer (`--json`), and one whose JSON comes a line per event.
struct AnswerCommand: ShellCommand {
    static let about = CommandAbout(name: "answer", group: "Test", summary: "prints a document", example: "answer --json")
    @Flag var json = false
    @Flag var lines = false
    @Flag var fail = false

    mutating func run(in shell: Shell<Void>) async throws {
        if fail {
            shell.output.line(#"{"code":"not_found"}"#)
            throw ShellError("answer: failed as asked")
        }
        guard json else { return shell.output.line("job_1 done") }
        if lines { return shell.output.line("{\"n\":1}\n{\"n\":2}") }
        shell.output.line(#"{"job":{"id":"job_1","status":"done","tags":["a","b"]},"jobs":[{"status":"x"},{"status":"y"}],"n":1.50,"ok":true,"none":null}"#)
    }
}

@Suite(.timeLimit(.minutes(5))) struct CaptureTests {
    func shell() -> (Shell<Void>, Transcript) {
        let (output, transcript) = ShellOutput.capture()
        return (Shell(registry: CommandRegistry([AnswerCommand.self]), output: output), transcript)
    }

    @Test func setCapturesTheJSONAnswerOfAnyCommandWithJSONAndPathsReadIt() async {
        let (shell, transcript) = shell()
        await assertScript("answer --set a\necho ${a.job.id} ${a.jobs[1].status} ${a.jobs.length} ${a.n} ${a.ok} ${a.none} ${a.job.tags}",
                           in: shell, transcript: transcript,
                           prints: "job_1 y 2 1.50 true null [\"a\",\"b\"]\n", errors: "")
        await assertScript("echo \"id=${a.job.id}\" ${a.job.id.length} ${a.job.length}", in: shell, transcript: transcript,
                           prints: "id=job_1 5 3\n", errors: "")
        // `--set=NAME` too, and --json given or not.
        await assertScript("answer --json --set=b; echo ${b.job.status}", in: shell, transcript: transcript, prints: "done\n", errors: "")
        // A --json that prints a line per event is captured as an array of them.
        await assertScript("answer --lines --set l; echo ${l.length} ${l[1].n}", in: shell, transcript: transcript, prints: "2 2\n", errors: "")
        let listing = await runScript("set", in: shell, transcript: transcript).output
        // A capture listed on one line: its JSON cut to 72 characters, and the command that answered it.
        #expect(listing.hasPrefix("a={\"job\":{\"id\":\"job_1\",\"status\":\"done\",\"tags\":[\"a\",\"b\"]},\"jobs\":[{\"status…  # --set by: answer --set a\n"),
                "\(listing)")
        // A plain `set` replaces the capture.
        await assertScript("set a plain; echo ${a.job}", in: shell, transcript: transcript, prints: "", errors: """
            error: test.script:1:19: ${a.job}: $a is not a captured answer, so it has no fields; capture one with: COMMAND --set a
                set a plain; echo ${a.job}
                                  ^

            """, status: 1)
    }

    @Test func aMissingFieldOrIndexNamesThePathAndWhatIsThere() async {
        let (shell, transcript) = shell()
        await assertScript("answer --set j", in: shell, transcript: transcript, prints: "", errors: "")
        await assertScript("echo ${j.job.idd}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: ${j.job.idd}: j.job has no field "idd"; its fields: id, status, tags
                echo ${j.job.idd}
                     ^

            """, status: 1)
        await assertScript("echo ${j.jobs[5].status}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: ${j.jobs[5].status}: j.jobs has 2 element(s): [5] is out of range (0...1)
                echo ${j.jobs[5].status}
                     ^

            """, status: 1)
        await assertScript("echo ${j.jobs.status}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: ${j.jobs.status}: j.jobs is an array of 2, not an object: it has no field "status"; read an element (j.jobs[0]) or its length (j.jobs.length)
                echo ${j.jobs.status}
                     ^

            """, status: 1)
        await assertScript("echo ${j.job[0]}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: ${j.job[0]}: j.job is an object, not an array: it has no [0]; its fields: id, status, tags
                echo ${j.job[0]}
                     ^

            """, status: 1)
        await assertScript("echo ${j.n.x}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: ${j.n.x}: j.n is a number, not an object: it has no field "x"
                echo ${j.n.x}
                     ^

            """, status: 1)
        await assertScript("echo ${k.a}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: ${k.a}: $k is not set; capture an answer with: COMMAND --set k
                echo ${k.a}
                     ^

            """, status: 1)
        await assertScript("echo ${j..a}", in: shell, transcript: transcript, errors: """
            error: test.script:1:6: "j..a" is not a field path; write ${NAME.field}, ${NAME.list[0].field} or ${NAME.list.length}
                echo ${j..a}
                     ^

            """, status: 2)
    }

    @Test func aFailingCommandCapturesNothingAndPrintsAsUsual() async {
        let (shell, transcript) = shell()
        await assertScript("answer --fail --set f", in: shell, transcript: transcript, prints: "{\"code\":\"not_found\"}\n", errors: """
            error: test.script:1:1: answer: failed as asked
                answer --fail --set f
                ^

            """, status: 1)
        #expect(await shell.variable("f") == nil)
        await assertScript("answer --set", in: shell, transcript: transcript, errors: """
            error: test.script:1:1: answer: --set takes the name of the variable to capture the answer in: --set NAME
                answer --set
                ^

            """, status: 2)
        // A command without --json keeps its words: echo prints them.
        await assertScript("echo --set x", in: shell, transcript: transcript, prints: "--set x\n", errors: "")
        // Help and completion show --set for commands with a JSON answer.
        #expect(AnswerCommand.fullHelp.contains("--set <name>"))
        #expect(!EchoCommand<Void>.fullHelp.contains("--set <name>"))
        let completer = Completer(registry: shell.registry, source: nil)
        #expect(await completer.complete("answer --s").candidates == ["--set"])
    }

    @Test func aVariableHoldingJSONReadsLikeACaptureAndTemplatesExpand() async throws {
        let (shell, transcript) = shell()
        await assertScript(#"set o '{"a": [1, {"b": "x"}]}'; echo ${o.a[1].b} ${o.a.length}"#, in: shell, transcript: transcript,
                           prints: "x 2\n", errors: "")
        await assertScript("answer --set j", in: shell, transcript: transcript, errors: "")
        // What a command that takes a body literally (tcly's call) expands in it.
        let text = try await shell.expand(template: #"{"id": "${j.job.id}", "n": $status, "price": "\$5", "raw": "$"}"#)
        #expect(text == #"{"id": "job_1", "n": 0, "price": "$5", "raw": "$"}"#)
        await #expect(throws: ShellError.self) { try await shell.expand(template: "${j.nope}") }
    }

    @Test func jsonValuesKeepFieldOrderAndNumberText() throws {
        let value = try JSONValue(parsing: #" {"b": [1, 2.50, -3e2], "a": {"s": "q\"\u00e9\n", "t": true, "e": {}, "l": []}} "#)
        #expect(value.compact == #"{"b":[1,2.50,-3e2],"a":{"s":"q\"é\n","t":true,"e":{},"l":[]}}"#)
        #expect(value.pretty() == """
            {
              "b": [
                1,
                2.50,
                -3e2
              ],
              "a": {
                "s": "q\\"é\\n",
                "t": true,
                "e": {},
                "l": []
              }
            }
            """)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: #"{"a": 1,}"#) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: #"{"a": 1} x"#) }
    }
}
