import Foundation
import GRDB
import Synchronization
import Timekeeping
import TranscodelyAPI

/// The engine's durable state in one SQLite file (WAL): organizations, apps, key hashes and jobs.
///
/// Every write goes through GRDB's single writer, and every write that touches a job stamps it
/// with `nextStamp`, so `updated_at` is strictly increasing across the store in commit order.
/// The store of one engine (its data directory lock sees to it): its job cache and outbox bell
/// live in this process. SQLite's own failures leave it as `StoreError` (see `read`/`write`).
public final class EngineStore: JobStore, CredentialStore, WebhookOutbox {
    let pool: DatabasePool
    public let clock: TimeSource
    /// Jobs as last written, for reads that need no query.
    let cache = JobCache()
    /// The webhook outbox's in-memory part (see EngineStore+Webhooks).
    let outbox = OutboxState()
    /// Seals webhook secrets at rest.
    let secrets: SecretBox
    /// The last `updated_at` handed out; only touched inside write transactions.
    private let lastStamp: Mutex<Int64>

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    public init(path: String, clock: TimeSource = .system) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Writes the engine makes on its own (a worker's progress) are NORMAL: in WAL mode they
            // survive a crash of the process, and the next durable write's fsync covers them too.
            // What a client is told has happened goes through `durableWrite` (FULL).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        // SQLite gives the WAL and shared-memory files the database file's mode: a 0600 store
        // keeps all three to their owner (see OwnerOnly).
        try OwnerOnly.file(path)
        for suffix in ["-wal", "-shm"] { OwnerOnly.tightenIfPresent(path + suffix) }
        pool = try DatabasePool(path: path, configuration: configuration)
        secrets = try SecretBox(file: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("secrets.key"))
        self.clock = clock
        try Schema.migrator().migrate(pool)
        let last = try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(updated_at) FROM jobs") ?? 0
        }
        lastStamp = Mutex(last)
        let orgs = try pool.read { db in
            try String.fetchSet(db, sql: "SELECT DISTINCT org_id FROM webhooks WHERE disabled_at IS NULL")
        }
        outbox.activeOrgs.withLock { $0 = orgs }
    }

    /// A write transaction that is on disk, power loss included, when it returns: for everything
    /// a client is answered about (creates, cancels, apps and keys).
    func durableWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Self.neutral { try await self.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            return result!
        } }
    }

    /// A read; SQLite's failures come out as `StoreError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Self.neutral { try await self.pool.read(body) }
    }

    /// A write transaction (synchronous = NORMAL); SQLite's failures come out as `StoreError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Self.neutral { try await self.pool.write(body) }
    }

    /// Runs a database call, turning SQLite's failures into the store-neutral `StoreError`
    /// (everything else, `ConnectError` and cancellation included, passes as it is).
    static func neutral<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw StoreError.unavailable("\(error.resultCode)", detail: "\(error)")
        }
    }

    /// The next `updated_at`: max(now, previous + 1 µs). Call inside a write transaction only.
    func nextStamp() -> Timestamp {
        let now = clock.timestamp.microseconds
        return Timestamp(microseconds: lastStamp.withLock { last in
            last = max(now, last + 1)
            return last
        })
    }
}
