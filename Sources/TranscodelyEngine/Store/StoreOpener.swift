import Foundation
import Timekeeping

/// How an engine gets its store, given its data directory and clock: `Engine.Configuration.store`.
/// The default is the SQLite store in the data directory; another store (one shared by several
/// engines) plugs in here without a change to the engine.
public struct StoreOpener: Sendable {
    private let make: @Sendable (_ dataDirectory: URL, _ clock: TimeSource) throws -> any EngineStorage

    /// A store made by `make` from the engine's data directory and clock.
    public init(_ make: @escaping @Sendable (_ dataDirectory: URL, _ clock: TimeSource) throws -> any EngineStorage) {
        self.make = make
    }

    /// Opens the store for the engine of `dataDirectory` (or `tcly admin` on it).
    public func open(_ dataDirectory: URL, clock: TimeSource = .system) throws -> any EngineStorage {
        try make(dataDirectory, clock)
    }

    /// `engine.sqlite` in the data directory, stamping with the engine's clock.
    public static let sqlite = StoreOpener { data, clock in
        try EngineStore(path: data.appendingPathComponent("engine.sqlite").path, clock: clock)
    }

    /// A store opened already (its clock is its own).
    public static func existing(_ store: any EngineStorage) -> StoreOpener {
        StoreOpener { _, _ in store }
    }
}
