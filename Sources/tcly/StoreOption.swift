import ArgumentParser
import Foundation
import Logging
import PostgresStore
import TranscodelyEngine
import TranscodelyServer

/// Where the engine keeps its state: `--store postgres://USER[:PASSWORD]@HOST[:PORT]/DB` (or
/// `TRANSCODELY_STORE`) for a database shared by several nodes; without either, `engine.sqlite` in
/// the data directory. Shared by `tcly serve` and `tcly admin`.
struct StoreOption: ParsableArguments {
    @Option(name: .customLong("store"),
            help: ArgumentHelp("A PostgreSQL database shared with other nodes, as postgres://USER[:PASSWORD]@HOST[:PORT]/DB (TRANSCODELY_STORE; the environment keeps a password out of ps). Default: engine.sqlite in the data directory.",
                               valueName: "URL"))
    var store: String?

    /// The database named by `--store` or `TRANSCODELY_STORE`, nil for SQLite; a bad URL ends the
    /// process with what is wrong in it (never its password).
    var database: PostgresURL? {
        let text = store ?? ProcessInfo.processInfo.environment["TRANSCODELY_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let text else { return nil }
        do { return try PostgresURL(parsing: text) } catch { fail("\(store == nil ? "TRANSCODELY_STORE" : "--store"): \(error)", code: 2) }
    }

    /// The storage of a node over `data`, named `node` (else a name new at every start) and with
    /// `leases` when shared.
    func storage(data: URL, node: String?, leases: LeaseSettings) -> LocalEngine.Storage {
        guard let database else { return .directory(data) }
        return .postgres(database, node: node ?? PostgresEngineStore.defaultNodeName(), leases: leases, dataDirectory: data)
    }
}

/// The credentials of the engine's store (`--store`, else the data directory's SQLite), opened
/// for administration, or a one-line error.
func openStore(_ data: DataOption, _ option: StoreOption) async -> any CredentialStore {
    if let database = option.database {
        do {
            return try await PostgresEngineStore.open(database, node: "admin-\(getpid())", secretsKey: nil,
                                                      holdsNodeName: false, logger: Logger(label: "tcly.admin"))
        } catch {
            fail("\(error)")
        }
    }
    do {
        if let warning = try OwnerOnly.directory(data.directory, what: "data directory") { warn(warning) }
        return try StoreOpener.sqlite.open(data.directory)
    } catch {
        fail("cannot open the engine's store in \(data.directory.path): \(error)")
    }
}
