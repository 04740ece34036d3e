import Foundation
import GRDB
import Synchronization
import TranscodelyAPI

/// The engine's durable state in one SQLite file (WAL): organizations, apps, key hashes and jobs.
///
/// Every write goes through GRDB's single writer, and every write that touches a job stamps it
/// with `nextStamp`, so `updated_at` is strictly increasing across the store in commit order.
public final class EngineStore: Sendable {
    let pool: DatabasePool
    let clock: EngineClock
    /// Jobs as last written, for reads that need no query.
    let cache = JobCache()
    /// The last `updated_at` handed out; only touched inside write transactions.
    private let lastStamp: Mutex<Int64>

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    public init(path: String, clock: EngineClock = .system) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a commit is on disk before a create is acknowledged (power loss included).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        self.clock = clock
        try Schema.migrator().migrate(pool)
        let last = try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(updated_at) FROM jobs") ?? 0
        }
        lastStamp = Mutex(last)
    }

    /// The next `updated_at`: max(now, previous + 1 µs). Call inside a write transaction only.
    func nextStamp() -> Timestamp {
        let now = clock.now().microseconds
        return Timestamp(microseconds: lastStamp.withLock { last in
            last = max(now, last + 1)
            return last
        })
    }
}
