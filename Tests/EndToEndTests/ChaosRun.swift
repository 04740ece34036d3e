import Foundation
import PostgresNIO
import Synchronization
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// One chaos run of issue 14 on a `NodeCluster` of three nodes: `jobs` creates spread over the
/// nodes (10 % of them sent twice at once, to two nodes), node 2 killed with SIGKILL a third of the
/// way through and started again, node 3 stopped (SIGSTOP) past its lease two thirds of the way and
/// continued; then every check of the issue, recorded as test expectations.
struct ChaosRun {
    let cluster: NodeCluster
    let sink: WebhookSink
    let seed: UInt64
    let jobs: Int

    /// What a run saw, for the log and docs/RELIABILITY.md.
    struct Report: CustomStringConvertible {
        var jobs = 0, sentTwice = 0, createRetries = 0, rescuedJobs = 0, attempts = 0, webhookDuplicates = 0
        var seconds = 0.0
        var description: String {
            "\(jobs) jobs in \(String(format: "%.1f", seconds)) s; \(sentTwice) creates sent twice, \(createRetries) create retries on another node; \(attempts) attempts (\(rescuedJobs) jobs ran more than once); \(webhookDuplicates) duplicate webhook deliveries"
        }
    }

    func run() async throws -> Report {
        var report = Report()
        let started = ContinuousClock.now
        var random = SeededRandom(seed: seed)
        try Data("media".utf8).write(to: cluster.input.appendingPathComponent("clip.mp4"))
        try await cluster.start(1)
        try await cluster.start(2)
        try await cluster.start(3)
        let hook = try await cluster.caller(1).call("WebhookService/Create", #"{"url":"\#(sink.url)","events":["job.completed","job.failed"]}"#)
        #expect(hook.status == 200, "\(hook.text)")

        // The creates: item i to node 1 + i % 3; a tenth of them at once to the next node too.
        let twice = Set((0..<jobs).filter { _ in random.next() % 10 == 0 })
        report.sentTwice = twice.count
        let down = Flags()
        let creating = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var inFlight = 0
                for item in 0..<jobs {
                    let targets = twice.contains(item) ? [item % 3 + 1, (item + 1) % 3 + 1] : [item % 3 + 1]
                    for target in targets {
                        if inFlight >= 24 { try await group.next(); inFlight -= 1 }
                        inFlight += 1
                        group.addTask {
                            do { try await create(item, first: target, down: down) } catch {
                                down.failure.withLock { $0 = $0 ?? "\(error)" }
                                throw error
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        // A third of the way: kill -9 node 2 and start it again (same --node: it requeues its own).
        try await waitForCompleted(atLeast: jobs / 3, down)
        down.nodes.withLock { _ = $0.insert(2) }
        try await cluster.process(2)?.kill(SIGKILL)
        try await cluster.start(2)
        down.nodes.withLock { _ = $0.remove(2) }

        // Two thirds: stop node 3 for twice its lease (3 s), then let it go on: its leases were rescued.
        try await waitForCompleted(atLeast: 2 * jobs / 3, down)
        down.nodes.withLock { _ = $0.insert(3) }
        cluster.process(3)?.program.signal(SIGSTOP)
        try await Task.sleep(for: .seconds(6))
        cluster.process(3)?.program.signal(SIGCONT)
        down.nodes.withLock { _ = $0.remove(3) }

        try await creating.value
        try await waitForCompleted(atLeast: jobs, down, seconds: 180)
        report.createRetries = down.retries.withLock { $0 }

        // Every job completed, once; nothing left running or leased.
        #expect(try await cluster.count("SELECT count(*) FROM jobs") == jobs)
        #expect(try await cluster.count("SELECT count(*) FROM jobs WHERE status <> 'completed'") == 0)
        #expect(try await cluster.count("SELECT count(*) FROM jobs WHERE lease_token IS NOT NULL") == 0)
        #expect(try await cluster.count("SELECT count(*) FROM job_attempts WHERE outcome = 'running'") == 0)
        let completions = try await cluster.count("""
            SELECT count(*) FROM (SELECT job_id FROM job_attempts WHERE outcome = 'completed' GROUP BY job_id HAVING count(*) <> 1) AS t
            """)
        #expect(completions == 0, "\(completions) job(s) without exactly one completed attempt")
        report.jobs = try await cluster.count("SELECT count(*) FROM jobs")
        report.attempts = try await cluster.count("SELECT count(*) FROM job_attempts")
        report.rescuedJobs = try await cluster.count("SELECT count(*) FROM jobs WHERE attempt > 1")
        #expect(report.rescuedJobs > 0, "the kill and the stall rescued no job: the run did not test rescue")

        // Outputs: one folder per job, no staging left.
        let published = (try? FileManager.default.contentsOfDirectory(atPath: cluster.output.appendingPathComponent("jobs").path)) ?? []
        let staging = (try? FileManager.default.contentsOfDirectory(atPath: cluster.output.appendingPathComponent(".tcly-tmp").path)) ?? []
        #expect(staging.isEmpty, "staging left: \(staging.prefix(5))")
        let ids = Set(try await cluster.rows("SELECT id FROM jobs").map { try $0.decode(String.self) })
        #expect(Set(published) == ids, "\(published.count) output folders for \(ids.count) jobs")
        // Each whole: every output of the job holds what the encoder wrote (I-TYPE/simulated.json).
        let partial = published.filter { id in
            let job = cluster.output.appendingPathComponent("jobs/\(id)")
            let outputs = (try? FileManager.default.contentsOfDirectory(atPath: job.path)) ?? []
            return outputs.isEmpty || outputs.contains { output in
                !FileManager.default.fileExists(atPath: job.appendingPathComponent("\(output)/simulated.json").path)
            }
        }
        #expect(partial.isEmpty, "\(partial.count) output folder(s) not whole, as \(partial.prefix(3))")

        // Every terminal event delivered (at least once).
        let delivered = try await sink.wait(seconds: 60) { deliveries in
            Set(deliveries.filter { $0.type == "job.completed" }.map(\.jobID)).isSuperset(of: ids)
        }
        let completedEvents = delivered.filter { $0.type == "job.completed" }
        report.webhookDuplicates = completedEvents.count - Set(completedEvents.map(\.id)).count
        let byEvent = Dictionary(grouping: completedEvents, by: \.id)
        #expect(byEvent.values.allSatisfy { Set($0.map(\.jobID)).count == 1 }, "one webhook-id names one event")
        report.seconds = Double((ContinuousClock.now - started).components.seconds)
        return report
    }

    /// Sends create `item` to node `first`, and to the next live node when that one does not answer.
    private func create(_ item: Int, first: Int, down: Flags) async throws {
        var target = first
        for attempt in 0..<30 {
            if down.nodes.withLock({ $0.contains(target) }) {
                target = target % 3 + 1
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            do {
                let reply = try await cluster.create("clip.mp4", key: "chaos-\(seed)-\(item)", through: target)
                if reply.status == 200 { return }
                if reply.status != 503 { throw TclyProcessError("create \(item) on n\(target): \(reply.status) \(reply.text)") }
            } catch let error as TclyProcessError {
                throw error
            } catch {
                // The node went down under the request: the same key on another node.
            }
            if attempt > 0 { down.retries.withLock { $0 += 1 } }
            target = target % 3 + 1
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TclyProcessError("create \(item) found no node to take it")
    }

    private func waitForCompleted(atLeast count: Int, _ flags: Flags, seconds: Double = 120) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let failure = flags.failure.withLock({ $0 }) { throw TclyProcessError("a create failed: \(failure)") }
            if try await cluster.count("SELECT count(*) FROM jobs WHERE status = 'completed'") >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let counts = try await cluster.rows("SELECT status, count(*) FROM jobs GROUP BY status").map { try $0.decode((String, Int).self) }
        throw TclyProcessError("fewer than \(count) jobs completed in \(seconds) s: \(counts)")
    }
}

/// Which nodes are down (creates go elsewhere meanwhile), and how many creates were retried.
final class Flags: Sendable {
    let nodes = Mutex<Set<Int>>([])
    let retries = Mutex(0)
    /// The first create that failed for good: the run stops waiting.
    let failure = Mutex<String?>(nil)
}

/// A small deterministic generator (SplitMix64), so a seed replays a run's choices.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
