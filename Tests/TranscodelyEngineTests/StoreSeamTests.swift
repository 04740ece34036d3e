import Foundation
import Testing
import TranscodelyAPI
@testable import TranscodelyEngine

/// The engine holds its store through the store protocols: it runs on the store it is given, and a
/// failure of the storage reaches a client as `unavailable`, whatever database is behind it.
@Suite struct StoreSeamTests {
    @Test func anEngineRunsOnTheStoreItIsGiven() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("engine-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try EngineStore(path: folder.appendingPathComponent("engine.sqlite").path)
        _ = try await store.createApp(orgID: "org_s", name: "s", tier: .unlimited, key: "tk_seam_key_0000001")
        var configuration = Engine.Configuration(dataDirectory: folder)
        configuration.store = .existing(store)
        let engine = try Engine(configuration)
        #expect((engine.store as? EngineStore) === store)
        let caller = try await engine.authenticate(key: "tk_seam_key_0000001", orgID: "org_s")
        #expect(caller.orgID == "org_s")
    }

    @Test func aStoreFailureIsAnsweredUnavailable() async throws {
        let fixture = try await EngineFixture(run: false)
        let failure = StoreError.unavailable("5 (database is locked)", detail: "SQLite error 5: database is locked")
        await #expect(throws: ConnectError.unavailable("the engine's store is not available right now (5 (database is locked)); retry shortly")) {
            try await fixture.engine.storeCall { () async throws -> Int in throw failure }
        }
    }
}

/// `JobStore.complete` on the SQLite store: the outputs are published inside the transaction that
/// completes the job, only when the completion applies, and a publish that fails writes nothing.
@Suite(.timeLimit(.minutes(5))) struct CompletionPublishTests {
    static let info = MediaInfo(durationSeconds: 1, width: 320, height: 240, videoCodec: "h264", frameRate: 30, hasAudio: false)

    func end(_ outcome: String) -> AttemptEnd { AttemptEnd(outcome: outcome, log: AttemptLog(tool: "test").snapshot) }

    /// A job of `fixture` claimed and probed: `processing`, under its lease.
    func processing(_ fixture: EngineFixture, _ path: String) async throws -> Lease {
        try fixture.input(path)
        let job = try await fixture.create(path)
        let claim = try #require(try await fixture.engine.store.claimNext())
        #expect(claim.job.id == job.id)
        #expect(try await fixture.engine.store.apply(.probed(Self.info), under: claim.lease)?.status == .processing)
        return claim.lease
    }

    @Test func publishRunsOnceInsideTheCompletionAndAFailingOneWritesNothing() async throws {
        try await EngineFixture.with(run: false) { f in
            let store = f.engine.store
            let lease = try await processing(f, "a.mp4")
            let calls = Locked(0)
            await #expect(throws: JobFailure.self) {
                try await store.complete([], under: lease, ending: end("completed")) {
                    calls.withLock { $0 += 1 }
                    throw JobFailure(.outputWriteFailed, "cannot move the outputs", phase: .write)
                }
            }
            #expect(calls.value == 1)
            // Rolled back: the job still runs, its attempt too.
            #expect(try await store.job(id: lease.jobID, orgID: "org_a")?.status == .processing)
            #expect(try await store.log(jobID: lease.jobID, orgID: "org_a")?.attempts.map(\.outcome) == ["running"])
            let done = try await store.complete([], under: lease, ending: end("completed")) { calls.withLock { $0 += 1 } }
            #expect(done?.status == .completed && calls.value == 2)
            #expect(try await store.log(jobID: lease.jobID, orgID: "org_a")?.attempts.map(\.outcome) == ["completed"])
        }
    }

    @Test func aCompletionThatDoesNotApplyNeitherPublishesNorWrites() async throws {
        try await EngineFixture.with(run: false) { f in
            let store = f.engine.store
            let lease = try await processing(f, "b.mp4")
            #expect(try await store.apply(.canceled, to: lease.jobID, orgID: nil, durable: true)?.status == .canceled)
            let calls = Locked(0)
            #expect(try await store.complete([], under: lease, ending: end("completed")) { calls.withLock { $0 += 1 } } == nil)
            #expect(calls.value == 0)
            #expect(try await store.job(id: lease.jobID, orgID: "org_a")?.status == .canceled)
            #expect(try await store.log(jobID: lease.jobID, orgID: "org_a")?.attempts.map(\.outcome) == ["running"])
        }
    }
}
