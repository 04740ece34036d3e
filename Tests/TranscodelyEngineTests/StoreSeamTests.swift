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
