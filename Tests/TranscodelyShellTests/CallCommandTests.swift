import Foundation
import ShellKit
import ShellKitTesting
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyServer
import TranscodelyShell
import TranscodelyTestSupport

/// `call` and `describe` against a real engine, as transcripts: every method with a good body and
/// a bad one, `-v`, captures, what the session learns, save and replay.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CallCommandTests {
    static let create = #"{"input_origin_id": "ori_local_input", "input_path": "a.mp4", "output_origin_id": "ori_local_output", "#
        + #""idempotency_key": "call_a", "outputs": [{"type": "mp4", "video": [{"codec": "h264", "resolution": "720p"}]}]}"#

    @Test func everyMethodWithAGoodBodyAnswersAndCapturesReadItsFields() async throws {
        try await withShellFixture(spec: "probe=0,encode=60,fail=0") { f in
            try f.inputs(["a.mp4"])
            await f.assert("call JobService/Create '\(Self.create)' --set c\necho ${c.job.id} ${c.job.status} ${c.job.outputs[0].video[0].quality}",
                           prints: "job_… pending standard\n", errors: "")
            let id = try #require(await f.shell.captures["c"]?.value["job"]?["id"]?.text)
            #expect(await f.shell.variable("last") == id, "a call that creates a job makes it $last")
            let shown = await f.assert("call JobService/Get '{\"id\": \"$last\"}'", errors: "").output
            #expect(shown.hasPrefix("{\n  \"job\": {\n    \"created_at\": \"") && shown.contains("\n    \"id\": \"\(id)\",\n"), "\(shown)")
            await f.assert("call JobService/Get '{\"id\": \"$last\"}' --json", prints: "{\"job\":{\"created_at\":\"…\",\"id\":\"\(id)\",…}}\n", errors: "")
            await f.assert("call JobService/List '{\"status\": [\"pending\", \"probing\", \"processing\"], \"page_size\": 5}' --set l\necho ${l.jobs.length} ${l.jobs[0].id} \"${l.next_page_token}\"",
                           prints: "1 \(id) \n", errors: "")
            await f.assert("call OriginService/List --set o\necho ${o.origins[0].id}", prints: "ori_…\n", errors: "")
            await f.assert("call OriginService/Get '{\"id\": \"ori_local_input\"}' --set g; echo ${g.origin.kind}", prints: "local\n", errors: "")
            // The body from a here-document (taken literally, then $NAME expanded by call) or a file.
            await f.assert("set origin ori_local_input\ncall OriginService/Get --set h <<JSON\n{\"id\": \"$origin\"}\nJSON\necho ${h.origin.id}",
                           prints: "ori_local_input\n", errors: "")
            let file = f.data.url.appendingPathComponent("body.json").path
            try #"{"id": "ori_local_output"}"#.write(toFile: file, atomically: true, encoding: .utf8)
            await f.assert("call OriginService/Get @\(file) --set o2; echo ${o2.origin.id}", prints: "ori_local_output\n", errors: "")
            await f.assert("call OriginService/Get @/nonexistent.json", errors: """
                error: t.tcly:1:1: call: cannot read @/nonexistent.json: no such file or not text
                    call OriginService/Get @/nonexistent.json
                    ^

                """, status: 1)
            await f.assert("call OriginService/ListFiles '{\"origin_id\": \"ori_local_input\"}' --set files; echo ${files.files[0].path}",
                           prints: "a.mp4\n", errors: "")
            // A webhook's secret is never printed, nor captured.
            let hook = await f.assert("call WebhookService/Create '{\"url\": \"http://127.0.0.1:9/hook\"}'", errors: "").output
            #expect(hook.contains("\"secret\": \"***\"") && !hook.contains("whsec_"), "\(hook)")
            await f.assert("call WebhookService/List --set w; echo ${w.webhooks.length}", prints: "1\n", errors: "")
            await f.assert("call WebhookService/Delete '{\"id\": \"${w.webhooks[0].id}\"}'", prints: "{}\n", errors: "")
            // GetLog, an addition of the local engine: the job's attempts.
            let log = await f.run("call JobService/GetLog '{\"id\": \"\(id)\"}'")
            #expect(log.0 == 0 && log.1.contains("\"job_id\"") && log.1.contains("\"attempts\""), "\(log)")
            await f.assert("call JobService/Cancel '{\"id\": \"\(id)\"}' --set x; echo ${x.job.status}", prints: "canceled\n", errors: "")
            #expect(await f.context.session.jobs().map(\.job.status) == [.canceled], "the session knows the cancel")
            // Captures: the documented errors.
            await f.assert("echo ${c.job.idd}", errors: """
                error: t.tcly:1:6: ${c.job.idd}: c.job has no field "idd"; its fields: created_at, id, idempotency_key, input_origin_id, input_path, metadata, output_origin_id, outputs, priority, progress, status, updated_at
                    echo ${c.job.idd}
                         ^

                """, status: 1)
            await f.assert("echo ${l.jobs[3].id}", errors: """
                error: t.tcly:1:6: ${l.jobs[3].id}: l.jobs has 1 element(s): [3] is out of range (0...0)
                    echo ${l.jobs[3].id}
                         ^

                """, status: 1)
        }
    }

    @Test func aBadBodyShowsTheAPIsOwnAnswerAndFails() async throws {
        try await withShellFixture { f in
            await f.assert("call JobService/Get '{\"idd\": \"job_x\"}'", prints: """
                {
                  "code": "invalid_argument",
                  "message": "idd: unknown field; expected one of id"
                }

                """, errors: """
                call: note: idd: JobIDRequest has no such field; its fields: id
                call: note: id: is required (string)
                call: note: sending it as written; the API's answer decides
                error: t.tcly:1:1: call: JobService/Get answered HTTP 400 invalid_argument: idd: unknown field; expected one of id
                    call JobService/Get '{"idd": "job_x"}'
                    ^

                """, status: 1)
            // One bad body for each method: an unknown field, a wrong type, a required field left out.
            let bad: [(String, String)] = [
                ("JobService/Create", #"{"input_path": "a.mp4"}"#),
                ("JobService/Get", #"{"id": 5}"#),
                ("JobService/List", #"{"page_size": "five"}"#),
                ("JobService/Cancel", #"{}"#),
                ("JobService/GetLog", #"{"job": "x"}"#),
                ("OriginService/List", #"{"all": true}"#),
                ("OriginService/Get", #"{"id": ["ori_local_input"]}"#),
                ("OriginService/ListFiles", #"{"prefix": "a"}"#),
                ("WebhookService/Create", #"{"url": "http://127.0.0.1:9/h", "events": "job.failed"}"#),
                ("WebhookService/List", #"{"page_size": 1}"#),
                ("WebhookService/Delete", #"{"ids": "wh_x"}"#),
            ]
            for (method, body) in bad {
                let (status, output, errors) = await f.run("call \(method) '\(body)'")
                #expect(status == 1, "\(method): \(errors)")
                #expect(output.contains("\"code\": \"invalid_argument\""), "\(method): \(output)")
                #expect(errors.contains("call: note: "), "\(method): the schema's check says what is wrong: \(errors)")
                #expect(errors.contains("call: \(method) answered HTTP 400 invalid_argument: "), "\(method): \(errors)")
            }
            // Not JSON at all: sent as written, and the API says so.
            let (status, _, errors) = await f.run("call JobService/Get 'id=1'")
            #expect(status == 1 && errors.contains("call: note: the body is not JSON") && errors.contains("HTTP 400 invalid_argument"), "\(errors)")
            // A method this shell does not know is sent all the same.
            await f.assert("call JobService/Frobnicate", prints: "{\n  \"code\": \"unimplemented\",\n  \"message\": \"no method /transcodely.v1.JobService/Frobnicate; …\"\n}\n",
                           errors: """
                call: note: JobService/Frobnicate is not a method this shell knows (call lists them); sending it anyway, a newer API may have it
                error: t.tcly:1:1: call: JobService/Frobnicate answered HTTP 501 unimplemented: no method /transcodely.v1.JobService/Frobnicate; the API is described at /openapi.yaml
                    call JobService/Frobnicate
                    ^

                """, status: 1)
        }
    }

    @Test func verboseShowsStatusAndHeadersAndTheReplayButNeverTheKey() async throws {
        try await withShellFixture { f in
            try f.inputs(["a.mp4"])
            let first = await f.assert("call JobService/Create '\(Self.create)' -v")
            #expect(first.errors.contains("> Authorization: Bearer ***\n") && first.errors.contains("< HTTP 200\n"), "\(first.errors)")
            #expect(first.errors.contains("< RateLimit-Policy: \"default\";q=100;w=1\n") && first.errors.contains("< Content-Type: application/json"))
            #expect(!first.errors.contains("Idempotent-Replayed"))
            let second = await f.assert("call JobService/Create '\(Self.create)' -v")
            #expect(second.errors.contains("< Idempotent-Replayed: true\n"), "\(second.errors)")
            #expect(second.output == first.output.replacingOccurrences(of: "\"status\": \"pending\"", with: "\"status\": \"pending\"")
                    || second.output.contains("\"id\""))
            for text in [first.errors, first.output, second.errors, second.output] {
                #expect(!text.contains("tk_shell_tests_0001"), "the API key never shows")
            }
            #expect(await f.context.session.count == 1, "the replayed create is the same job")
            let journal = try String(contentsOf: f.journal, encoding: .utf8)
            #expect(!journal.contains("tk_shell_tests_0001"))
        }
    }

    @Test func aSessionWithCallCreatedJobsSavesAndReplaysToTheSameJob() async throws {
        try await withShellFixture(spec: "probe=0,encode=60,fail=0") { f in
            try f.inputs(["a.mp4", "b.mp4"])
            await f.assert("call JobService/Create '\(Self.create)' --set keyed", errors: "")
            let keyless = Self.create.replacingOccurrences(of: #""idempotency_key": "call_a", "#, with: "")
                .replacingOccurrences(of: "a.mp4", with: "b.mp4")
            await f.assert("call JobService/Create '\(keyless)' --set loose", errors: "")
            let keyedID = try #require(await f.shell.captures["keyed"]?.value["job"]?["id"]?.text)
            let looseID = try #require(await f.shell.captures["loose"]?.value["job"]?["id"]?.text)
            let file = f.data.url.appendingPathComponent("calls.tcly").path
            await f.assert("save \(file)", prints: "saved 2 job(s), 0 batch(es) to \(file)\n", errors: "")
            let script = try String(contentsOfFile: file, encoding: .utf8)
            #expect(script.contains("\ncall JobService/Create '{\"idempotency_key\":\"call_a\",\"input_origin_id\":\"ori_local_input\",\"input_path\":\"a.mp4\",\"output_origin_id\":\"ori_local_output\","),
                    "\(script)")
            #expect(script.contains("\n# \(looseID) was created without an idempotency_key: replaying this call creates a new job\ncall JobService/Create '{"),
                    "\(script)")
            // Replayed in a fresh session over its own connection: the keyed call is the same job.
            let transport = ConnectTransport(configuration: ClientConfiguration(
                baseURL: f.local.baseURL, apiKey: APIKey("tk_shell_tests_0001"), organizationID: "org_shell"))
            let fresh = TranscodelyContext(transport: transport, session: try ShellSession(journal: nil))
            let (output, transcript) = ShellOutput.capture()
            #expect(await TranscodelyCommands.shell(fresh, output: output).run("source \(file)") == 0, "\(transcript.errors)")
            let replayed = await fresh.session.jobs().map(\.job.id)
            #expect(replayed.count == 2 && replayed[0] == keyedID && replayed[1] != looseID, "\(replayed)")
            // A saved and loaded session still knows which jobs a call made.
            let saved = f.data.url.appendingPathComponent("session.json").path
            await f.assert("session save \(saved)", errors: "")
            let (loadOutput, loadTranscript) = ShellOutput.capture()
            let loaded = TranscodelyCommands.shell(TranscodelyContext(transport: transport, session: try ShellSession(journal: nil)), output: loadOutput)
            let again = f.data.url.appendingPathComponent("again.tcly").path
            #expect(await loaded.run("session load \(saved); save \(again)") == 0, "\(loadTranscript.errors)")
            #expect(try String(contentsOfFile: again, encoding: .utf8).contains("\ncall JobService/Create '{\"idempotency_key\":\"call_a\","))
            // History shows call lines as typed, a credential in them as ***; the journal holds none.
            await f.assert("call JobService/List '{\"metadata\": {\"note\": \"tk_abcdefghijklmnop\"}}' --set none", errors: "")
            let history = await f.assert("history", errors: "").output
            #expect(history.contains("call JobService/List '{\"metadata\": {\"note\": \"***\"}}' --set none") && !history.contains("tk_abc"), "\(history)")
            #expect(try !String(contentsOf: f.journal, encoding: .utf8).contains("tk_"))
        }
    }

    @Test func describeListsMethodsAndShowsFields() async throws {
        try await withShellFixture { f in
            let all = await f.assert("describe", errors: "").output
            #expect(all.hasPrefix("JobService — transcoding jobs: create, read, list, cancel\n  Create  "), "\(all)")
            #expect(all.contains("WebhookService — ") && all.contains("  GetLog  "))
            let create = await f.assert("describe JobService/Create", errors: "").output
            #expect(create.contains("request CreateJobRequest — "))
            #expect(create.contains("""
                request CreateJobRequest — what to encode, from where, to where, under which idempotency key
                  field             type                           meaning
                  input_origin_id   string               required  the origin the input is read from (OriginService/List)
                """), "\(create)")
            #expect(create.contains("  priority          Priority             optional  higher priority jobs start first (default standard): economy | standard | premium\n"))
            #expect(create.contains("response JobResponse — ") && create.contains("messages inside: OutputSpecInput, Job, VideoVariantInput, "))
            await f.assert("describe JobIDRequest", prints: """
                message JobIDRequest — one job by id
                  field  type              meaning
                  id     string  required  the job's id (job_…)

                """, errors: "")
            await f.assert("describe JobService/Lits", errors: """
                error: t.tcly:1:1: describe: no method or message "JobService/Lits"; did you mean JobService/List? (describe lists the methods)
                    describe JobService/Lits
                    ^

                """, status: 2)
            await f.assert("describe Job --set d; echo ${d.fields[1].name} ${d.fields[1].enum.length}", prints: "status 6\n", errors: "")
            let methods = await f.assert("call", errors: "").output
            #expect(methods.contains("JobService/Create  ") && methods.contains("describe METHOD shows its fields"))
        }
    }

    @Test func completionInsideCallOffersMethodsFieldsEnumValuesAndIDs() async throws {
        try await withShellFixture { f in
            try f.inputs(["a.mp4"])
            _ = await f.run("call JobService/Create '\(Self.create)'")
            let id = try #require(await f.shell.variable("last"))
            let completer = Completer(registry: f.shell.registry, source: TranscodelyCompletion(shell: f.shell))
            #expect(await completer.complete("call JobService/Ge").candidates == ["JobService/Get", "JobService/GetLog"])
            let key = await completer.complete(#"call JobService/Create '{"out"#)
            #expect(key.word == #""out"# && key.candidates == [#""output_origin_id":"#, #""outputs":"#], "\(key)")
            let nested = await completer.complete(#"call JobService/Create '{"input_path": "a.mp4", "outputs": [{"type": ""#)
            #expect(nested.word == "\"" && nested.candidates == [#""hls""#, #""mp4""#], "\(nested)")
            let inner = await completer.complete(#"call JobService/Create '{"outputs": [{"video": [{"co"#)
            #expect(inner.candidates == [#""codec":"#], "\(inner)")
            let job = await completer.complete(#"call JobService/Get '{"id": "j"#)
            #expect(job.candidates == ["\"\(id)\""], "\(job)")
            let origin = await completer.complete(#"call -v OriginService/ListFiles '{"origin_id": "#)
            #expect(origin.candidates.contains(#""ori_local_input""#), "\(origin)")
            let status = await completer.complete(#"call JobService/List '{"status": ["pending", "f"#)
            #expect(status.candidates == [#""failed""#], "\(status)")
            #expect(await completer.complete("call JobService/Get --s").candidates == ["--set"])
        }
    }
}
