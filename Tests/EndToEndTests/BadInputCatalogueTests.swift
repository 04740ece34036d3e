import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// The bad-input catalogue (docs/RELIABILITY.md): what a user gives wrong and the exact error they
/// see — in the shell (through `tcly -c`, as typed) and over the API (through `tcly serve`).
/// Media inputs are catalogued in FFmpegEncoderTests (`unusableInputsFailWithTheirCodes`,
/// `aCodecTheMachineLacksIsRefusedAtCreate`).
@Suite(.serialized, .timeLimit(.minutes(5))) struct BadInputCatalogueTests {
    /// Shell input and the first line of what `tcly -c` prints on standard error (after the
    /// one-line notice about the local engine).
    static let shell: [(String, String)] = [
        ("echo 'abc", "error: <command line>:1:6: unclosed single quote; the input ended before it was closed"),
        ("sumbit a.mp4", #"error: <command line>:1:1: unknown command "sumbit"; did you mean submit? (help lists the commands)"#),
        ("batch a.mp4 --concurency 4", "error: <command line>:1:1: batch: Unknown option '--concurency'. Did you mean '--concurrency'? (batch --help shows its usage)"),
        ("submit a.mp4 --output mp4:h263:720p", #"error: <command line>:1:1: submit: --output: codec "h263" is not one of h264, h265, vp9, av1"#),
        ("submit a.mp4 --output mp4:h264:721p", #"error: <command line>:1:1: submit: --output: resolution "721p" is not one of 2160p, 1440p, 1080p, 720p, 480p, 360p (optionally /QUALITY)"#),
        ("submit a.mp4 --output hls", #"error: <command line>:1:1: submit: --output: "hls" is not TYPE:CODEC:RES[/QUALITY][,RES...] (as hls:h264:1080p,720p,480p/economy)"#),
        ("batch a.mp4 --key '{nam}'", "error: <command line>:1:1: batch: --key: unknown placeholder {nam}; use {path} {name} {stem} {date} {batch} {index}"),
        ("source /nonexistent/x.tcly", "error: <command line>:1:1: source: cannot read /nonexistent/x.tcly: no such file or not text"),
        ("batch --from /nonexistent/list.txt", "error: <command line>:1:1: batch: cannot read --from /nonexistent/list.txt: no such file or not text"),
        ("submit a.mp4 --meta novalue", #"error: <command line>:1:1: submit: --meta takes KEY=VALUE (as content_id=episode-01), got "novalue""#),
        ("submit a.mp4 --priority urgent", "error: <command line>:1:1: submit: The value 'urgent' is invalid for '--priority <priority>'. Please provide one of 'economy', 'standard' or 'premium'. (submit --help shows its usage)"),
        ("watch --interval 0", "error: <command line>:1:1: watch: --interval must be 0.05...3600 seconds, got 0.0 (watch --help shows its usage)"),
        ("listen abc", #"error: <command line>:1:1: listen: "abc" is not [HOST:]PORT (as 8089 or 127.0.0.1:8089)"#),
        ("submit a.mp4 --preset nope", #"error: <command line>:1:1: submit: --preset: no preset "nope"; define one with: preset nope SPEC..."#),
        ("echo $nope", "error: <command line>:1:6: $nope is not set; set it with: set nope VALUE"),
        ("show job_nope", "error: <command line>:1:1: show: not_found: no job job_nope in organization org_local"),
        ("submit", "error: <command line>:1:1: submit: Missing expected argument '<path>' (submit --help shows its usage)"),
        ("rate 0", "error: <command line>:1:1: rate: R must be above 0 and at most 100000, got 0"),
        ("files ori_nope", "error: <command line>:1:1: files: not_found: no origin ori_nope; OriginService/List shows the origins"),
        ("submit ../etc/passwd", #"error: <command line>:1:1: submit: invalid_argument: input_path: "../etc/passwd" may not contain . or .. components; paths stay inside origin ori_local_input"#),
    ]

    @Test func shellInputGetsTheErrorItDeserves() async throws {
        let home = try TemporaryDirectory("catalogue")
        defer { home.remove() }
        try home.write("data/tcly/engine/origins/input/a.mp4", "x")
        let environment = ["XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state"]
        for (input, expected) in Self.shell {
            let (status, _, errors) = try await TclyProcess.run(["--encoder", "simulate", "-c", input], environment: environment)
            let first = errors.split(separator: "\n").first { !$0.hasPrefix("tcly: no API key set") }.map(String.init) ?? ""
            #expect(status != 0, "\(input.prefix(60))")
            #expect(first == expected, "\(input.prefix(60))")
        }
        // A line too long for the command line itself comes in a script.
        try home.write("huge.tcly", "echo ok\necho " + String(repeating: "A", count: 1_100_000) + "\n")
        let (status, out, errors) = try await TclyProcess.run(["run", home.path + "/huge.tcly", "--encoder", "simulate"], environment: environment)
        #expect(status == 1 && out.isEmpty)
        #expect(errors.contains("error: \(home.path)/huge.tcly:2:1: line 2 is 1100005 bytes long; a line holds at most 1 MiB (put long lists in a file: batch --from FILE)"))
    }

    /// Request body → HTTP status, Connect code and message.
    static let api: [(String, String, Int, String, String)] = [
        ("JobService/Create", #"{"input_path":"#, 400, "invalid_argument", "the request body is not valid JSON"),
        ("JobService/Create", "[1,2]", 400, "invalid_argument", "the request body must be a JSON object"),
        ("JobService/List", #"{"page_size":"ten"}"#, 400, "invalid_argument", "page_size: expected an integer"),
        ("JobService/Create", #"{"input_path":"a.mp4","colour":"red"}"#, 400, "invalid_argument",
         "colour: unknown field; expected one of idempotency_key, input_origin_id, input_path, metadata, output_origin_id, outputs, priority"),
        ("JobService/List", #"{"page_token":"not-a-token"}"#, 400, "invalid_argument", "page_token: not a token this server issued; pass next_page_token unchanged"),
        ("JobService/Create", Self.create(#""input_path":"../../etc/passwd""#), 400, "invalid_argument",
         #"input_path: "../../etc/passwd" may not contain . or .. components; paths stay inside origin ori_local_input"#),
        ("JobService/Create", Self.create(#""input_path":"/etc/passwd""#), 400, "invalid_argument",
         #"input_path: "/etc/passwd" is absolute; give a path relative to origin ori_local_input"#),
        ("JobService/Create", Self.create(#""input_path":"link.mp4""#), 400, "invalid_argument",
         #"input_path: "link.mp4" leads out of origin ori_local_input through a symbolic link"#),
        ("JobService/Create", #"{"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h263","resolution":"720p"}]}]}"#,
         400, "invalid_argument", #"outputs[0].video[0].codec: video codec "h263" is not known; expected one of h264, h265, vp9, av1"#),
        ("JobService/Create", Self.create(#""priority":"urgent","input_path":"a.mp4""#), 400, "invalid_argument",
         #"priority: priority "urgent" is not known; expected one of economy, standard, premium"#),
        ("JobService/Create", Self.create(""), 400, "invalid_argument", "input_path: is required"),
        ("JobService/List", #"{"updated_since":"yesterday"}"#, 400, "invalid_argument",
         #"updated_since: "yesterday" is not an RFC 3339 timestamp (as 2026-02-28T10:15:30.123456Z)"#),
        ("JobService/Create", Self.create(#""input_path":"a.mp4","idempotency_key":"""#), 400, "invalid_argument",
         "idempotency_key: must be 1 to 255 characters, got 0"),
        ("JobService/Create", Self.create(#""input_path":"a.mp4","outputs":[]"#), 400, "invalid_argument", "outputs: given twice; send each field once"),
        ("JobService/Get", #"{"id":"job_doesnotexist"}"#, 404, "not_found", "no job job_doesnotexist in organization org_catalogue"),
        ("JobService/Create", #"{"input_origin_id":"ori_nope","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]}"#,
         400, "failed_precondition", "input_origin_id: no origin ori_nope on this engine; OriginService/List shows the origins (ori_local_input, ori_local_output)"),
        ("JobService/Create", #"{"input_path":"\#(String(repeating: "a", count: 1_100_000))"}"#, 400, "invalid_argument",
         "the request body is larger than 1024 KiB; split the request"),
        ("WebhookService/Create", #"{"url":"ftp://127.0.0.1/x"}"#, 400, "invalid_argument", #"url: "ftp://127.0.0.1/x" is not an http:// or https:// URL"#),
    ]

    static func create(_ fields: String) -> String {
        #"{"input_origin_id":"ori_local_input","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]"#
            + (fields.isEmpty ? "" : "," + fields) + "}"
    }

    @Test func apiInputGetsTheErrorItDeserves() async throws {
        let data = try TemporaryDirectory("catalogue")
        defer { data.remove() }
        try data.write("origins/input/a.mp4", "x")
        try data.write("outside/secret.mp4", "s")
        try FileManager.default.createSymbolicLink(atPath: data.path + "/origins/input/link.mp4", withDestinationPath: data.path + "/outside/secret.mp4")
        let key = "tk_catalogue_0123456789"
        let serve = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path, "--encoder", "simulate"],
                                    environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": "org_catalogue"])
        defer { serve.program.signal(SIGTERM) }
        let api = APICaller(baseURL: try await serve.waitForListening(), key: key, org: "org_catalogue")
        for (method, body, status, code, message) in Self.api {
            let reply = try await api.call(method, body)
            #expect(reply.status == status && reply.code == code, "\(method) \(body.prefix(80)): \(reply.status) \(reply.text.prefix(200))")
            #expect(reply.message == message, "\(method) \(body.prefix(80))")
        }
        // Transport-level refusals: the wrong content type, no key, another organization.
        let text = try await api.call("JobService/List", "{}", contentType: "text/plain")
        #expect(text.status == 415 && text.message == #"Content-Type must be application/json, got "text/plain""#)
        let anonymous = try await APICaller(baseURL: api.baseURL, key: nil, org: "org_catalogue").call("JobService/List", "{}")
        #expect(anonymous.status == 401 && anonymous.message == "missing API key: send the header Authorization: Bearer <API key>")
        let foreign = try await APICaller(baseURL: api.baseURL, key: key, org: "org_other").call("JobService/List", "{}")
        #expect(foreign.status == 403 && foreign.message == "this API key's app is not a member of organization org_other")
        // Nothing of it was created.
        #expect(try await api.call("JobService/List", "{}").decode(ListJobsResponse.self).jobs.isEmpty)
    }
}
