import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// `tcly serve` and `tcly admin` as separate processes: start-up, kill -9, restart, administration
/// while serving.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ServeProcessTests {
    let key = "tk_e2e_key_0123456789"

    func serve(_ data: TemporaryDirectory, extra: [String] = []) async throws -> (TclyProcess, APICaller) {
        let tcly = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path,
                                    "--encoder", "simulate", "--simulate", "probe=0,encode=0.3"] + extra,
                                   environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": "org_e2e"])
        let url = try await tcly.waitForListening()
        return (tcly, APICaller(baseURL: url, key: key, org: "org_e2e"))
    }

    @Test func settingsOutOfRangeAreRefusedBeforeAnythingStarts() async throws {
        let data = try TemporaryDirectory("e2e-flags")
        defer { data.remove() }
        let refused: [([String], String)] = [
            (["--webhook-disable-after", "0"], "--webhook-disable-after must be 1...1000 deliveries, got 0"),
            (["--webhook-retention", "0"], "--webhook-retention must be 0.01...3650 days, got 0.0"),
            (["--lease", "3"], "--lease, --heartbeat and --max-attempts go with --store postgres://…; add --store or drop them"),
            (["--node", "n1"], "--node names a node of a shared store; add --store postgres://… or drop --node"),
            // Checked before any connection: nobody answers at this store.
            (["--store", "postgres://tcly@127.0.0.1:1/none", "--node", " "], "--node takes a name of 1 to 200 characters, not blank; got \" \""),
            (["--store", "postgres://tcly@127.0.0.1:1/none", "--lease", "nan"], "--lease takes seconds, more than 0 and at most 86400 (a day); got nan"),
            (["--store", "postgres://tcly@127.0.0.1:1/none", "--heartbeat", "1e300"], "--heartbeat takes seconds, more than 0 and at most 86400 (a day); got 1e+300"),
            (["--store", "postgres://tcly@127.0.0.1:1/none", "--lease", "0.5"], "--lease must be at least 1 second"),
            (["--store", "postgres://tcly@127.0.0.1:1/none", "--lease", "6", "--heartbeat", "3"],
             "--heartbeat must be at most a third of --lease (a lost renewal must not lose a lease)"),
        ]
        for (flags, message) in refused {
            let (status, _, errors) = try await TclyProcess.run(["serve", "--data", data.path, "--encoder", "simulate"] + flags)
            #expect(status != 0 && errors.contains(message), "\(flags): \(errors)")
        }
        // Nothing was started: the data directory is as it was.
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.path).isEmpty)
    }

    @Test func anAcknowledgedCreateSurvivesKill9AndTheKeyStillFindsIt() async throws {
        let data = try TemporaryDirectory("e2e")
        defer { data.remove() }
        try data.write("origins/input/a.mp4", "media")
        var (tcly, api) = try await serve(data)
        var created: [String: String] = [:]
        for i in 0..<50 {
            let job = try await api.create(key: "durable-\(i)").decode(JobResponse.self).job
            created["durable-\(i)"] = job.id
        }
        try await tcly.kill(SIGKILL)
        (tcly, api) = try await serve(data)
        defer { tcly.program.signal(SIGTERM) }
        for (key, id) in created {
            let reply = try await api.create(key: key)
            #expect(reply.header("Idempotent-Replayed") == "true")
            #expect(try reply.decode(JobResponse.self).job.id == id)
        }
        // Jobs interrupted by the kill run again and complete.
        for id in created.values.prefix(5) {
            var status = JobStatus.pending
            for _ in 0..<500 where !status.isTerminal {
                status = try await api.call("JobService/Get", #"{"id":"\#(id)"}"#).decode(JobResponse.self).job.status
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == .completed)
        }
    }

    @Test func startUpProblemsAreOneLineAndANonZeroExit() async throws {
        let data = try TemporaryDirectory("e2e")
        defer {
            data.remove()
            for suffix in ["-2", "-3"] { try? FileManager.default.removeItem(atPath: data.path + suffix) }
        }
        let (tcly, _) = try await serve(data)
        defer { tcly.program.signal(SIGTERM) }
        let port = tcly.arguments[2]
        let (busy, busyOutput, busyError) = try await TclyProcess.run(["serve", "--listen", port, "--data", data.path + "-2"])
        #expect(busy != 0)
        #expect(busyError == "tcly: \(port) is already in use; pick another with --listen HOST:PORT\n")
        // Apps are made after the bind: a start that could not listen shows and makes no key.
        #expect(busyOutput == "")
        let (missing, _, missingError) = try await TclyProcess.run(["serve", "--listen", "127.0.0.1:0", "--data", data.path + "-3",
                                                             "--origin", "ori_media=/nonexistent/media"])
        #expect(missing != 0)
        #expect(missingError == "tcly: origin ori_media: folder /nonexistent/media does not exist; create it or fix --origin\n")
        let (unwritable, _, unwritableError) = try await TclyProcess.run(["serve", "--listen", "127.0.0.1:0", "--data", "/proc/tcly"])
        #expect(unwritable != 0)
        #expect(unwritableError == "tcly: data directory /proc/tcly is not writable; choose another with --data\n")
        let (badSpec, _, badSpecError) = try await TclyProcess.run(["serve", "--encoder", "simulate", "--simulate", "speed=3"])
        #expect(badSpec == 2 && badSpecError.contains("unknown setting \"speed\""))
    }

    @Test func adminWorksWhileTheServerRuns() async throws {
        let data = try TemporaryDirectory("e2e")
        defer { data.remove() }
        let (tcly, api) = try await serve(data, extra: ["--tier", "premium"])
        defer { tcly.program.signal(SIGTERM) }
        let (status, out, _) = try await TclyProcess.run(["admin", "app", "create", "--data", data.path, "--org", "org_two",
                                                    "--name", "ingest", "--tier", "standard"])
        #expect(status == 0)
        let newKey = try #require(out.split(separator: "\n").first { $0.hasPrefix("API key (shown once): ") }?
            .dropFirst("API key (shown once): ".count))
        let two = APICaller(baseURL: api.baseURL, key: String(newKey), org: "org_two")
        let reply = try await two.call("OriginService/List", "{}")
        #expect(reply.status == 200 && reply.header("RateLimit-Policy") == #""default";q=100;w=1"#)
        #expect(try await api.call("OriginService/List", "{}").header("RateLimit-Policy") == #""default";q=500;w=1"#)

        let (_, listing, _) = try await TclyProcess.run(["admin", "app", "list", "--data", data.path])
        #expect(listing.contains("org_two") && listing.contains("ingest") && listing.contains("premium"))
        #expect(!listing.contains(newKey) && !listing.contains(key))

        let (revoked, revokeOut, _) = try await TclyProcess.run(["admin", "key", "revoke", "--data", data.path, String(newKey)])
        #expect(revoked == 0 && revokeOut.hasPrefix("revoked tk_"))
        // The server forgets a cached key within a second: refused from then on.
        let deadline = ContinuousClock.now + .seconds(10)
        var refused = try await two.call("OriginService/List", "{}").status
        while refused != 401, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            refused = try await two.call("OriginService/List", "{}").status
        }
        #expect(refused == 401)
        // The key is stored as a hash only.
        for file in ["engine.sqlite", "engine.sqlite-wal"] {
            guard let bytes = try? Data(contentsOf: data.url.appendingPathComponent(file)) else { continue }
            #expect(bytes.range(of: Data(newKey.utf8)) == nil && bytes.range(of: Data(key.utf8)) == nil, "\(file)")
        }
    }

    @Test func sigtermStopsGracefullyAndTheInterruptedJobRunsAfterRestart() async throws {
        let data = try TemporaryDirectory("e2e")
        defer { data.remove() }
        try data.write("origins/input/a.mp4", "media")
        let first = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path,
                                     "--encoder", "simulate", "--simulate", "probe=0,encode=2"],
                                    environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": "org_e2e"])
        let api = APICaller(baseURL: try await first.waitForListening(), key: key, org: "org_e2e")
        let job = try await api.create(key: "interrupted").decode(JobResponse.self).job
        // SIGTERM mid-encode: once the job is processing.
        var running = job.status
        for _ in 0..<200 where running != .processing {
            try await Task.sleep(for: .milliseconds(20))
            running = try await api.call("JobService/Get", #"{"id":"\#(job.id)"}"#).decode(JobResponse.self).job.status
        }
        #expect(running == .processing)
        try await first.kill(SIGTERM)
        #expect(first.program.status == 0)
        let (second, again) = try await serve(data)
        defer { second.program.signal(SIGTERM) }
        var status = JobStatus.pending
        for _ in 0..<200 where !status.isTerminal {
            status = try await again.call("JobService/Get", #"{"id":"\#(job.id)"}"#).decode(JobResponse.self).job.status
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status == .completed)
    }

    @Test func anEngineKilledMidEncodeLeavesNoFFmpegAndFinishesTheJobAfterRestart() async throws {
        let data = try TemporaryDirectory("e2e")
        defer { data.remove() }
        try await MediaSamples.clip(data.url.appendingPathComponent("origins/input/long.mp4"), size: "1280x720", seconds: 12, audio: false)
        func start() async throws -> (TclyProcess, APICaller) {
            let tcly = try TclyProcess(["serve", "--listen", "127.0.0.1:\(freePort())", "--data", data.path],
                                       environment: ["TRANSCODELY_API_KEY": key, "TRANSCODELY_ORG_ID": "org_e2e"])
            return (tcly, APICaller(baseURL: try await tcly.waitForListening(), key: key, org: "org_e2e"))
        }
        var (tcly, api) = try await start()
        let job = try await api.call("JobService/Create", """
            {"input_origin_id":"ori_local_input","input_path":"long.mp4","output_origin_id":"ori_local_output",
             "outputs":[{"type":"hls","video":[{"codec":"h264","resolution":"720p","quality":"premium"}]}]}
            """).decode(JobResponse.self).job
        var seen = job
        for _ in 0..<400 where !(seen.status == .processing && seen.progress > 0) {
            try await Task.sleep(for: .milliseconds(50))
            seen = try await api.call("JobService/Get", #"{"id":"\#(job.id)"}"#).decode(JobResponse.self).job
        }
        #expect(seen.status == .processing)
        let orphans = MediaSamples.processes(mentioning: job.id)
        #expect(!orphans.isEmpty)
        try await tcly.kill(SIGKILL)
        (tcly, api) = try await start()
        defer { tcly.program.signal(SIGTERM) }
        // The restarted engine stops what the killed one left running before encoding again.
        var left = orphans.filter(MediaSamples.isRunning)
        for _ in 0..<40 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            left = orphans.filter(MediaSamples.isRunning)
        }
        #expect(left.isEmpty, "ffmpeg of the killed engine still runs: \(left)")
        var done = seen
        for _ in 0..<1200 where !done.status.isTerminal {
            try await Task.sleep(for: .milliseconds(100))
            done = try await api.call("JobService/Get", #"{"id":"\#(job.id)"}"#).decode(JobResponse.self).job
        }
        #expect(done.status == .completed, "\(String(describing: done.error))")
        #expect(done.progress == 100)
        let playlist = data.url.appendingPathComponent("origins/output/\(try #require(done.results?.first?.variants.first?.path))")
        #expect(abs(try await MediaSamples.probe(playlist).duration - 12) < 0.5)
    }

    @Test func anEventQueuedBeforeKill9IsDeliveredAfterRestart() async throws {
        let data = try TemporaryDirectory("e2e")
        defer { data.remove() }
        try data.write("origins/input/a.mp4", "media")
        // The receiver is down while the job ends: the event waits in the outbox.
        let port = freePort()
        var (tcly, api) = try await serve(data)
        let hook = try await api.call("WebhookService/Create", #"{"url":"http://127.0.0.1:\#(port)/hook","events":["job.completed"]}"#)
            .decode(WebhookResponse.self).webhook
        let job = try await api.create(key: "outbox").decode(JobResponse.self).job
        var status = JobStatus.pending
        for _ in 0..<200 where !status.isTerminal {
            try await Task.sleep(for: .milliseconds(50))
            status = try await api.call("JobService/Get", #"{"id":"\#(job.id)"}"#).decode(JobResponse.self).job.status
        }
        #expect(status == .completed)
        // The event was queued in the transaction that completed the job: it is in the outbox now.
        try await tcly.kill(SIGKILL)
        try await WebhookSink.with(port: port) { sink in
            (tcly, api) = try await serve(data)
            defer { tcly.program.signal(SIGTERM) }
            let received = try await sink.wait(seconds: 30) { $0.contains { $0.jobID == job.id } }
            let delivery = try #require(received.first { $0.jobID == job.id })
            #expect(delivery.type == "job.completed")
            try WebhookSignature.verify(key: try WebhookSignature.key(try #require(hook.secret)), id: delivery.id, timestamp: delivery.timestamp,
                                        signature: delivery.signature, body: delivery.body, now: Int64(Date().timeIntervalSince1970))
            // Once the engine has stopped, nothing more can come: it was delivered once.
            try await tcly.kill(SIGTERM)
            #expect(sink.deliveries.count == 1)
        }
    }

    @Test func webhookVerifyChecksADeliveryFromFlagsOrACapturedRequest() async throws {
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let vector = ["webhook", "verify", "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "--timestamp", "1614265330",
                      "--signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="]
        let secret = ["TCLY_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
        let (valid, out, _) = try await TclyProcess.run(vector + ["--ignore-age"], environment: secret, input: body)
        #expect(valid == 0 && out.hasPrefix("valid: webhook-id msg_p5jXN8AQM9LWM0D4loKWxJek signed "))
        // A captured request: headers, blank line, body.
        let request = "POST /hook HTTP/1.1\r\nHost: x\r\nwebhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\r\nwebhook-timestamp: 1614265330\r\n"
            + "Webhook-Signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n\r\n" + #"{"test": 2432232314}"#
        #expect(try await TclyProcess.run(["webhook", "verify", "--ignore-age"], environment: secret, input: Array(request.utf8)).0 == 0)
        let (old, _, oldError) = try await TclyProcess.run(vector, environment: secret, input: body)
        #expect(old == 1 && oldError.contains("in the past; more than 5 minutes away is refused"))
        let (tampered, _, tamperedError) = try await TclyProcess.run(vector + ["--ignore-age"], environment: secret,
                                                                     input: Array(#"{"test": 2432232315}"#.utf8))
        #expect(tampered == 1 && tamperedError.contains("tcly: invalid: no v1 signature in webhook-signature matches"))
        let (noSecret, _, noSecretError) = try await TclyProcess.run(vector, input: body)
        #expect(noSecret == 2 && noSecretError == "tcly: webhook verify: no secret; pass --secret whsec_… or set TCLY_WEBHOOK_SECRET\n")
    }

    @Test func withoutFFmpegServeSaysHowToInstallItUnlessSimulating() async throws {
        let data = try TemporaryDirectory("e2e")
        defer { data.remove() }
        let (status, _, error) = try await TclyProcess.run(["serve", "--listen", "127.0.0.1:0", "--data", data.path],
                                                     environment: ["PATH": "/nonexistent"])
        #expect(status == 1)
        #expect(error.contains("ffmpeg and ffprobe are needed for real encoding: install them (apt-get install ffmpeg"))
        #expect(error.contains("--encoder simulate"))
    }

    @Test func versionAndHelp() async throws {
        let (status, out, _) = try await TclyProcess.run(["--version"])
        #expect(status == 0 && out.hasPrefix("0."))
        let (helpStatus, help, _) = try await TclyProcess.run(["serve", "--help"])
        #expect(helpStatus == 0 && help.contains("--listen") && help.contains("--simulate"))
    }
}
