import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// The user's own path as processes: `tcly run` of a script against a separate `tcly serve`,
/// pacing at the rate the engine advertises, and a saved session replayed on a fresh engine.
@Suite(.serialized, .timeLimit(.minutes(5))) struct PacingProcessTests {
    let key = "tk_e2e_pacing_0123456789"

    /// A fresh engine with `inputs` empty input files clip-I.mp4.
    func serve(_ data: TemporaryDirectory, tier: String, inputs: Int) async throws -> (TclyProcess, APICaller, String) {
        for index in 0..<inputs { try data.write("origins/input/clip-\(index).mp4") }
        let tcly = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path, "--tier", tier,
                                    "--encoder", "simulate", "--simulate", "probe=0,encode=0.2", "--workers", "16"],
                                   environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": "org_e2e"])
        let url = try await tcly.waitForListening()
        return (tcly, APICaller(baseURL: url, key: key, org: "org_e2e"), url)
    }

    /// `tcly run FILE` against the engine at `url`, as a user with a key set runs it.
    func run(_ script: String, url: String, home: TemporaryDirectory) async throws -> (Int32, String, String) {
        try await TclyProcess.run(["run", script], environment: [
            "TRANSCODELY_API_URL": url, "TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": "org_e2e",
            "XDG_STATE_HOME": home.path + "/state", "NO_COLOR": "1",
        ])
    }

    func refusals(_ api: APICaller) async throws -> Int {
        let text = try await api.get("/metrics").text
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("tcly_rate_limited_total ") })
        return Int(Double(line.split(separator: " ")[1]) ?? -1)
    }

    @Test func aBatchWithNoRateOnAPremiumEngineMeetsNo429() async throws {
        let data = try TemporaryDirectory("e2e-premium"), home = try TemporaryDirectory("home")
        defer { data.remove(); home.remove() }
        let (tcly, api, url) = try await serve(data, tier: "premium", inputs: 2000)
        defer { tcly.program.signal(SIGTERM) }
        try home.write("list.txt", (0..<2000).map { "clip-\($0).mp4\n" }.joined())
        let script = try home.write("premium.tcly", "batch --from \(home.path)/list.txt --concurrency 20 --name premium --dry-run\nbatch --from \(home.path)/list.txt --concurrency 20 --name premium\n")
        let (status, out, errors) = try await run(script.path, url: url, home: home)
        #expect(status == 0, "\(errors)")
        // The dry run has heard nothing from the API yet: it plans with the default and says so.
        #expect(out.hasPrefix("pacing at 100/s, burst 200: the default until the API says its limit"), "\(out)")
        #expect(out.contains("batch premium: 2000 created, 0 already existed, 0 failed"), "\(out)")
        #expect(try await refusals(api) == 0)
    }

    @Test func aSavedBatchReplaysOnAFreshEngineWithTheSameKeysNamesAndOutputs() async throws {
        let first = try TemporaryDirectory("e2e-a"), second = try TemporaryDirectory("e2e-b"), home = try TemporaryDirectory("home")
        defer { first.remove(); second.remove(); home.remove() }
        let saved = home.path + "/saved.tcly"
        try home.write("list.txt", (0..<60).map { "clip-\($0).mp4\n" }.joined())
        let make = try home.write("make.tcly", """
            batch --from \(home.path)/list.txt --name nightly --key 'n_{index}' --output hls:h264:720p,480p/economy --meta owner=me
            submit clip-0.mp4 --output mp4:vp9:360p --key solo
            save \(saved)
            """)
        var (tcly, api, url) = try await serve(first, tier: "standard", inputs: 60)
        let (made, _, madeErrors) = try await run(make.path, url: url, home: home)
        #expect(made == 0, "\(madeErrors)")
        let original = try await jobs(api)
        tcly.program.signal(SIGTERM)
        _ = try await tcly.program.exit(seconds: 60)

        (tcly, api, url) = try await serve(second, tier: "standard", inputs: 60)
        defer { tcly.program.signal(SIGTERM) }
        let (replayed, out, errors) = try await run(saved, url: url, home: home)
        #expect(replayed == 0, "\(errors)")
        #expect(out.contains("batch nightly: 60 created, 0 already existed, 0 failed"), "\(out)")
        let copy = try await jobs(api)
        #expect(copy.count == 61)
        // Same keys, same batch names and metadata, same outputs: the same requests.
        func shape(_ jobs: [Job]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: jobs.map { job in
                (job.idempotencyKey ?? "", "\(job.inputPath) \(job.metadata.sorted { $0.key < $1.key }) \(job.outputs) \(job.priority)")
            })
        }
        #expect(shape(copy) == shape(original))
        #expect(try await refusals(api) == 0)
    }

    /// Every job of the organization.
    func jobs(_ api: APICaller) async throws -> [Job] {
        var all: [Job] = []
        var token = ""
        repeat {
            let page = try await api.call("JobService/List", #"{"page_size": 1000, "page_token": "\#(token)"}"#).decode(ListJobsResponse.self)
            all += page.jobs
            token = page.nextPageToken
        } while !token.isEmpty
        return all
    }
}
