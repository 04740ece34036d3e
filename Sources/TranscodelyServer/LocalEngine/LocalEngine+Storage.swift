import Foundation
import Logging
import PostgresStore
import Timekeeping
import TranscodelyEngine

extension LocalEngine {
    /// Where the engine's data lives: its own SQLite file, or a PostgreSQL database shared with
    /// other engines (nodes). Either way the local origins' folders and `secrets.key` are in the
    /// data directory.
    public enum Storage: Sendable, Hashable {
        /// `engine.sqlite` and the local origins' folders under this directory.
        case directory(URL)
        /// A database shared by several nodes (`tcly serve --store postgres://…`), this node known
        /// by `node`, with its lease timings; the data directory holds the local origins and
        /// `secrets.key`, which every node of the database must share.
        case postgres(PostgresURL, node: String, leases: LeaseSettings, dataDirectory: URL)

        /// The directory holding the local origins (and, for `.directory`, the store).
        public var dataDirectory: URL {
            switch self {
            case let .directory(url): url
            case let .postgres(_, _, _, url): url
            }
        }

        /// How `tcly serve --store` and `tcly admin --store` show it: never with a password.
        public var label: String {
            switch self {
            case let .directory(url): url.appendingPathComponent("engine.sqlite").path
            case let .postgres(database, node, _, _): "\(database) as node \(node)"
            }
        }
    }

    /// Opens the store `storage` names. A PostgreSQL store is opened here, before the engine (it
    /// connects and migrates, which takes a round trip or two); the engine then takes it as it is.
    static func openStore(_ storage: Storage, clock: TimeSource, logger: Logger) async throws -> OpenedStore {
        switch storage {
        case .directory:
            return OpenedStore(opener: .sqlite, rateLimits: nil, close: {})
        case let .postgres(database, node, leases, data):
            // Made 0700 when new (secrets.key goes in it); the engine warns about an existing open one.
            _ = try OwnerOnly.directory(data, what: "data directory")
            let store = try await PostgresEngineStore.open(database, node: node, secretsKey: data.appendingPathComponent("secrets.key"),
                                                           clock: clock, settings: leases, logger: logger)
            return OpenedStore(opener: .existing(store), rateLimits: store, close: { store.close() })
        }
    }

    /// A store ready for `Engine.Configuration`, and how to let it go once the engine stopped.
    struct OpenedStore: Sendable {
        var opener: StoreOpener
        var rateLimits: (any RateLimiting)?
        var close: @Sendable () -> Void
    }
}
