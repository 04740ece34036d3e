import Foundation
import PostgresNIO
import PostgresStore
import Synchronization
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// Engine nodes as separate `tcly serve --store postgres://…` processes on one database of
/// scripts/test's cluster: the chaos run of issue 14 (kill -9 one node mid-batch, stall another past
/// its lease), a cancel crossing nodes. `scripts/reliability/nodes` runs the chaos test with other
/// seeds and sizes (`TCLY_CHAOS_SEED`, `TCLY_CHAOS_JOBS`).
@Suite("Engine nodes on one PostgreSQL", .serialized, .timeLimit(.minutes(6)))
struct NodesProcessTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = UInt64(environment["TCLY_CHAOS_SEED"] ?? "") ?? 1
    static let jobs = Int(environment["TCLY_CHAOS_JOBS"] ?? "") ?? 600

    /// Three nodes, simulate encoder (0.5 s a job), 8 workers each, a lease of 3 s renewed every second.
    static let serve = ["--encoder", "simulate", "--simulate", "probe=0,encode=0.5", "--workers", "8", "--tier", "unlimited",
                        "--lease", "3", "--heartbeat", "1", "--max-attempts", "5"]

    @Test("chaos: 3 nodes, creates spread and 10 % sent twice; kill -9 one node, SIGSTOP another past its lease: every job completes exactly once")
    func chaos() async throws {
        try await NodeCluster.with(serve: Self.serve) { cluster in
            try await WebhookSink.with { sink in
                let report = try await ChaosRun(cluster: cluster, sink: sink, seed: Self.seed, jobs: Self.jobs).run()
                print("chaos seed \(Self.seed): \(report)")
            }
        }
    }

    @Test("a cancel sent to one node stops the encode running on another (how soon: scripts/bench/nodes part g)")
    func cancelCrossesNodes() async throws {
        try await NodeCluster.with(serve: ["--encoder", "simulate", "--simulate", "probe=0,encode=60",
                                           "--workers", "1", "--tier", "unlimited"]) { cluster in
            try Data("media".utf8).write(to: cluster.input.appendingPathComponent("long.mp4"))
            try await cluster.start(1)
            try await cluster.start(2)
            // Either node may claim it: the cancel goes through the other one.
            let running = try await cluster.create("long.mp4", through: 1)
            #expect(running.status == 200, "\(running.text)")
            let id = try running.decode(JobResponse.self).job.id
            let runner = try #require(try await waitForRunning(id, cluster))
            let other = runner == "n1" ? 2 : 1
            let asked = ContinuousClock.now
            let canceled = try await cluster.caller(other).call("JobService/Cancel", #"{"id":"\#(id)"}"#)
            #expect(canceled.status == 200, "\(canceled.text)")
            // The attempt on the running node ends: its encode stopped and said why.
            var ended = false
            while ContinuousClock.now - asked < .seconds(30) {
                ended = try await cluster.count("SELECT count(*) FROM job_attempts WHERE job_id = \(id) AND ended_at IS NOT NULL AND lines <> '[]'") == 1
                if ended { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(ended, "the encode on \(runner) had not stopped 30 s after the cancel on n\(other)")
        }
    }

    @Test("ffmpeg on 2 nodes: the node encoding is killed mid-encode; every job completes on the other and its output probes")
    func ffmpegSmoke() async throws {
        try await NodeCluster.with(serve: ["--encoder", "ffmpeg", "--workers", "1", "--threads", "1",
                                           "--lease", "3", "--heartbeat", "1", "--tier", "unlimited"]) { cluster in
            var ids: [String] = []
            for index in 0..<6 {
                try await MediaSamples.clip(cluster.input.appendingPathComponent("clip\(index).mp4"), size: "640x360", seconds: 6)
            }
            try await cluster.start(1)
            try await cluster.start(2)
            for index in 0..<6 {
                let reply = try await cluster.create("clip\(index).mp4", key: "smoke-\(index)", through: 1 + index % 2)
                #expect(reply.status == 200, "\(reply.text)")
                ids.append(try reply.decode(JobResponse.self).job.id)
            }
            // The node of the first job seen encoding dies with its ffmpeg processes left running.
            var victim: Int?
            for _ in 0..<1500 where victim == nil {
                let rows = try await cluster.rows("SELECT lease_node FROM jobs WHERE status = 'processing' AND progress > 0 LIMIT 1")
                if let row = rows.first { victim = Int(try row.decode(String.self).dropFirst()) }
                else { try await Task.sleep(for: .milliseconds(20)) }
            }
            let killed = try #require(victim, "no job reached processing")
            try await cluster.process(killed)?.kill(SIGKILL)
            defer {
                // Its orphaned ffmpeg processes (which a restart would reap) are stopped here.
                for pid in MediaSamples.processes(mentioning: cluster.root.path + "/node\(killed)") { kill(pid, SIGKILL) }
            }
            let survivor = killed == 1 ? 2 : 1
            for id in ids {
                var job = try await cluster.caller(survivor).call("JobService/Get", #"{"id":"\#(id)"}"#).decode(JobResponse.self).job
                for _ in 0..<3000 where !job.status.isTerminal {
                    try await Task.sleep(for: .milliseconds(50))
                    job = try await cluster.caller(survivor).call("JobService/Get", #"{"id":"\#(id)"}"#).decode(JobResponse.self).job
                }
                #expect(job.status == .completed, "\(id): \(job.status) \(job.error?.message ?? "")")
                for result in job.results ?? [] {
                    let probe = try await MediaSamples.probe(cluster.output.appendingPathComponent(result.path))
                    #expect(probe.codec == "h264" && probe.height == 360 && abs(probe.duration - 6) < 0.5, "\(result.path): \(probe)")
                }
            }
            #expect(try await cluster.count("SELECT count(*) FROM jobs WHERE attempt > 1") > 0, "no job was rescued from n\(killed)")
        }
    }

    /// The node whose lease the job holds, once it runs.
    private func waitForRunning(_ id: String, _ cluster: NodeCluster) async throws -> String? {
        for _ in 0..<500 {
            let rows = try await cluster.rows("SELECT lease_node FROM jobs WHERE id = \(id) AND status = 'processing'")
            if let row = rows.first { return try row.decode(String.self) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
