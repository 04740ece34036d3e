import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// A whole session — an engine with its logs and data, a shell on a terminal with history,
/// journal, saved script and session file, a webhook receiver and its deliveries — and then every
/// file written is searched for the API key and a webhook secret: neither appears in plain text.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SecretsTests {
    @Test func noFileWrittenInAFullSessionHoldsTheAPIKeyOrAWebhookSecret() async throws {
        let home = try TemporaryDirectory("secrets")
        defer { home.remove() }
        let key = "tk_secret_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let org = "org_secrets"
        for index in 0..<4 { try home.write("engine/origins/input/s/e\(index).mp4", "x") }
        let serve = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", home.path + "/engine",
                                     "--encoder", "simulate"],
                                    environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": org])
        defer { serve.program.signal(SIGTERM) }
        let url = try await serve.waitForListening()
        let api = APICaller(baseURL: url, key: key, org: org)
        // A receiver of the test's own, whose deliveries are written to a file too.
        try await WebhookSink.with { sink in
            let hook = try await api.call("WebhookService/Create", #"{"url":"\#(sink.url)","events":["job.completed","job.progress"]}"#)
                .decode(WebhookResponse.self).webhook
            let secret = try #require(hook.secret)

            // The shell on a terminal: history is written.
            let session = "tcly-secrets-\(getpid())"
            func tmux(_ arguments: [String]) async throws -> String { try await MediaSamples.run("tmux", arguments) }
            defer { _ = try? ChildProgram("tmux", ["kill-session", "-t", session]) }
            let command = "env TRANSCODELY_API_URL=\(url) TRANSCODELY_API_KEY=\(key) TRANSCODELY_ORG_ID=\(org) "
                + "XDG_STATE_HOME=\(home.path)/state XDG_DATA_HOME=\(home.path)/data \(TclyProcess.binary().path)"
            _ = try await tmux(["new-session", "-d", "-s", session, "-x", "150", "-y", "40", command])
            func show(_ text: String) async throws {
                for _ in 0..<300 {
                    if try await tmux(["capture-pane", "-t", session, "-p"]).contains(text) { return }
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw TclyProcessError("the terminal never showed \"\(text)\"")
            }
            func type(_ line: String) async throws {
                _ = try await tmux(["send-keys", "-t", session, "-l", "--", line])
                _ = try await tmux(["send-keys", "-t", session, "Enter"])
            }
            try await show("tcly>")
            try await type("listen 0")
            try await show("listen: receiving at")
            try await type("batch 's/*.mp4' --name sec --key 'sec_{name}'; watch --batch sec --webhook 0 --plain")
            try await show("all 4 ended")
            try await type("echo --api-key \(key)")
            try await type("set token \(secret)")
            try await type("save \(home.path)/saved.tcly; session save \(home.path)/session.json")
            try await show("session.json")
            try await type("exit")
            // When this was the last session, the tmux server has gone and list-sessions fails: ended too.
            for _ in 0..<100 where ((try? await tmux(["list-sessions"])) ?? "").contains(session) { try await Task.sleep(for: .milliseconds(100)) }

            _ = try await sink.wait { $0.contains { $0.type == "job.completed" } }
            try sink.deliveries.map { "\($0.id) \($0.timestamp) \($0.signature) \(String(decoding: $0.body, as: UTF8.self))" }
                .joined(separator: "\n").write(toFile: home.path + "/deliveries.txt", atomically: true, encoding: .utf8)
            serve.program.signal(SIGTERM)
            _ = try await serve.program.exit(seconds: 30)
            try (serve.program.output + serve.program.errors).write(toFile: home.path + "/engine.log", atomically: true, encoding: .utf8)

            // What was written: history, journal, saved script, session file, engine data, logs, deliveries.
            let files = try FileManager.default.subpathsOfDirectory(atPath: home.path).filter {
                var directory: ObjCBool = false
                return FileManager.default.fileExists(atPath: home.path + "/" + $0, isDirectory: &directory) && !directory.boolValue
            }
            for expected in ["state/tcly/history", "saved.tcly", "session.json", "engine/engine.sqlite", "engine.log", "deliveries.txt"] {
                #expect(files.contains(expected), "\(expected) was not written: \(files.sorted())")
            }
            #expect(files.contains { $0.hasPrefix("state/tcly/sessions/session-") })
            let history = try String(contentsOfFile: home.path + "/state/tcly/history", encoding: .utf8)
            #expect(history.contains("echo\\040--api-key\\040***"))
            let needles = [key, secret, String(secret.dropFirst("whsec_".count))]
            var checked = 0
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: home.path + "/" + file))
                checked += bytes.count
                for needle in needles {
                    #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(file) holds a secret")
                }
            }
            #expect(files.count >= 8 && checked > 10_000)
        }
    }
}
