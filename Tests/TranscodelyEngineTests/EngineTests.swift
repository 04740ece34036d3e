import Foundation
import Testing
import Timekeeping
import TranscodelyAPI
@testable import TranscodelyEngine

@Suite(.timeLimit(.minutes(5))) struct EngineTests {
    @Test func simulatedJobsEndAsTheRulesSay() async throws {
        try await EngineFixture.with(spec: "probe=0,encode=0.2,fail=0.5") { fixture in
            try fixture.input("ok.mp4")
            try fixture.input("corrupt-upload.mp4")
            let fine = (0..<40).map { "batch/clip-\($0).mp4" }
            for path in fine { try fixture.input(path) }
            let corrupt = try await fixture.create("corrupt-upload.mp4")
            let missing = try await fixture.create("nowhere.mp4")
            var jobs: [Job] = []
            for path in fine { jobs.append(try await fixture.create(path)) }
            #expect(try await fixture.finished(corrupt.id).error?.code == "input_unreadable")
            let gone = try await fixture.finished(missing.id)
            #expect(gone.error?.code == "input_not_found")
            #expect(gone.error?.message == "nowhere.mp4 does not exist in origin ori_local_input")
            for job in jobs {
                let done = try await fixture.finished(job.id)
                let shouldFail = SimulatedEncoder.fails(path: job.inputPath, fraction: 0.5)
                #expect(done.status == (shouldFail ? .failed : .completed), "\(job.inputPath)")
                if shouldFail { #expect(done.error?.code == "encode_failed") } else {
                    #expect(done.progress == 100 && done.results?.count == 1 && done.input?.height == 1080)
                }
            }
        }
    }

    @Test func simulatedOutputsArePublishedOncePerJobThroughTheStagingAndNothingIsLeft() async throws {
        try await EngineFixture.with(spec: "probe=0,encode=0,fail=0.3") { f in
            let paths = (0..<24).map { "sim/clip-\($0).mp4" }
            for path in paths { try f.input(path) }
            let outputs = [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)]),
                           OutputSpec(type: .hls, video: [VideoVariant(codec: .h264, resolution: .r720p),
                                                          VideoVariant(codec: .h264, resolution: .r480p)])]
            var jobs: [Job] = []
            for path in paths { jobs.append(try await f.create(path, outputs: outputs)) }
            var done: [Job] = []
            for job in jobs { done.append(try await f.finished(job.id)) }
            // Every worker has returned, its staging closed.
            await f.stop()
            let root = f.data.appendingPathComponent("origins/output")
            func entries(_ path: String) -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(path).path)) ?? []).sorted()
            }
            #expect(entries(OutputStaging.folderName).isEmpty)
            #expect(done.contains { $0.status == .failed } && done.contains { $0.status == .completed })
            let completed = done.filter { $0.status == .completed }
            #expect(entries("jobs") == completed.map(\.id).sorted(), "one output folder per completed job, none for a failed one")
            for job in completed {
                #expect(entries("jobs/\(job.id)") == ["0-mp4", "1-hls"])
                for (index, result) in (job.results ?? []).enumerated() {
                    let folder = "jobs/\(job.id)/\(index)-\(result.type.rawValue)"
                    #expect(entries(folder) == [SimulatedEncoder.outputFile])
                    let data = try Data(contentsOf: root.appendingPathComponent("\(folder)/\(SimulatedEncoder.outputFile)"))
                    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                    #expect(object["job_id"] as? String == job.id && object["attempt"] as? Int == 1)
                    #expect((object["result"] as? [String: Any])?["path"] as? String == result.path)
                }
            }
        }
    }

    @Test func higherPriorityStartsFirst() async throws {
        let fixture = try await EngineFixture(spec: "probe=0,encode=0", workers: 1, run: false)
        for name in ["e1", "s1", "p1", "e2", "p2"] { try fixture.input(name) }
        let economy = try await fixture.create("e1", priority: .economy)
        let standard = try await fixture.create("s1")
        let premium = try await fixture.create("p1", priority: .premium)
        let economy2 = try await fixture.create("e2", priority: .economy)
        let premium2 = try await fixture.create("p2", priority: .premium)
        var order: [String] = []
        while let claim = try await fixture.engine.store.claimNext() { order.append(claim.job.id) }
        #expect(order == [premium.id, premium2.id, standard.id, economy.id, economy2.id])
    }

    @Test func aStoreReopenedAfterAStopKeepsKeysAndRequeuesInterruptedJobs() async throws {
        let (data, job) = try await EngineFixture.with(spec: "probe=0,encode=30", run: false) { first in
            try first.input("long.mp4")
            let job = try await first.create("long.mp4", key: "restart-key")
            let claimed = try #require(try await first.engine.store.claimNext()?.job)
            #expect(claimed.id == job.id && claimed.status == .probing)
            return (first.data, job)
        }
        // A second engine on the same data directory, as after kill -9 and restart.
        try await EngineFixture.with(data: data, spec: "probe=0,encode=0.1") { second in
            let again = try await second.engine.createJob(second.request("long.mp4", key: "restart-key"), by: second.caller)
            guard case let .replayed(replayed) = again else { Issue.record("expected a replay, got \(again)"); return }
            #expect(replayed.id == job.id)
            #expect(try await second.finished(job.id).status == .completed)
        }
    }

    @Test func oneDataDirectoryServesOneEngine() async throws {
        let first = try await EngineFixture(run: false)
        #expect(throws: ConnectError.failedPrecondition("data directory \(first.data.path) is in use by another engine; stop it or choose another --data")) {
            try Engine(Engine.Configuration(dataDirectory: first.data))
        }
    }

    @Test func aReplayFindsItsJobEvenAfterItsOriginWasRemoved() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("engine-\(UUID().uuidString.prefix(8))")
        let media = folder.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        var configuration = Engine.Configuration(dataDirectory: folder)
        configuration.origins = ["ori_media": media]
        var first: Engine? = try Engine(configuration)
        _ = try await first!.store.createApp(orgID: "org_a", name: "a", tier: .unlimited, key: "tk_fixture_key_0003")
        let caller = try await first!.authenticate(key: "tk_fixture_key_0003", orgID: "org_a")
        let request = CreateJobRequest(inputOriginID: "ori_media", inputPath: "a.mp4", outputOriginID: Engine.localOutput,
                                       idempotencyKey: "kept",
                                       outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r360p)])])
        guard case let .created(job) = try await first!.createJob(request, by: caller) else { Issue.record("not created"); return }
        first = nil
        let second = try Engine(Engine.Configuration(dataDirectory: folder))
        guard case let .replayed(again) = try await second.createJob(request, by: caller) else { Issue.record("not replayed"); return }
        #expect(again.id == job.id)
        var other = request
        other.idempotencyKey = "new"
        await #expect(throws: ConnectError.self) { try await second.createJob(other, by: caller) }
    }

    @Test func updatedAtIsStrictlyIncreasingEvenWhenTheClockStandsStill() async throws {
        let clock = TestClock()
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("engine-\(UUID().uuidString.prefix(8))")
        var configuration = Engine.Configuration(dataDirectory: folder)
        configuration.clock = clock.source
        let engine = try Engine(configuration)
        _ = try await engine.store.createApp(orgID: "org_a", name: "a", tier: .unlimited, key: "tk_fixture_key_0002")
        let caller = try await engine.authenticate(key: "tk_fixture_key_0002", orgID: "org_a")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask {
                    _ = try await engine.createJob(CreateJobRequest(
                        inputOriginID: Engine.localInput, inputPath: "x\(i).mp4", outputOriginID: Engine.localOutput,
                        outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r360p)])]), by: caller)
                }
            }
            try await group.waitForAll()
        }
        let jobs = try await engine.listJobs(ListJobsRequest(pageSize: 1000), by: caller).jobs
        #expect(jobs.count == 100)
        #expect(zip(jobs, jobs.dropFirst()).allSatisfy { $0.updatedAt < $1.updatedAt })
        #expect(Set(jobs.map(\.updatedAt)).count == 100)
    }
}
