import Logging
import PostgresNIO

/// Brings a database's schema up to date, safely from any number of nodes starting at once.
///
/// One run is one transaction: it takes `pg_advisory_xact_lock(lockKey)` first, so runs on other
/// nodes wait for it; then it creates `schema_migrations` if missing, reads the versions recorded
/// there and applies the missing ones in order, recording each. A run that waited sees the
/// versions the first one committed and applies nothing. DDL is transactional in PostgreSQL:
/// a failure anywhere rolls back the whole run, tables included, and the lock goes with the
/// transaction (no lock can outlive a crashed node).
public struct PostgresMigrator: Sendable {
    /// The advisory lock's key: "tclySCHM" as a 64-bit number, for no other lock of this database.
    public static let lockKey: Int64 = 0x7463_6C79_5343_484D

    public let migrations: [Migration]
    let logger: Logger

    /// A migrator for `migrations` (by default this build's schema, `PostgresSchema.migrations`).
    public init(migrations: [Migration] = PostgresSchema.migrations, logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing; throws a `MigrationError` after rolling everything back.
    @discardableResult
    public func migrate(_ client: PostgresClient) async throws(MigrationError) -> MigrationRun {
        try validate()
        let known = migrations.last?.version ?? 0
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await run(on: connection, known: known)
            }
        } catch let error as MigrationError {
            throw error
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? MigrationError { throw inner }
            throw .database(PostgresErrorText.of(error))
        } catch {
            throw .database(PostgresErrorText.of(error))
        }
    }

    private func run(on connection: PostgresConnection, known: Int) async throws(MigrationError) -> MigrationRun {
        let recorded = try await bookkeeping("taking the migration lock and reading schema_migrations") {
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var recorded: [Int: String] = [:]
            let rows = try await connection.query("SELECT version, name FROM schema_migrations", logger: logger)
            for try await (version, name) in rows.decode((Int, String).self) {
                recorded[version] = name
            }
            return recorded
        }
        if let newest = recorded.keys.max(), newest > known {
            throw .databaseIsNewer(database: newest, known: known)
        }
        var applied: [Int] = []
        for migration in migrations {
            if let name = recorded[migration.version] {
                guard name == migration.name else {
                    throw .nameMismatch(version: migration.version, database: name, known: migration.name)
                }
                continue
            }
            try await apply(migration, on: connection)
            applied.append(migration.version)
        }
        if !applied.isEmpty {
            logger.info("schema migrated", metadata: ["applied": "\(applied)", "version": "\(known)"])
        }
        return MigrationRun(applied: applied, version: known)
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws(MigrationError) {
        for (index, statement) in migration.statements.enumerated() {
            do {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            } catch {
                throw .statementFailed(version: migration.version, name: migration.name, statement: index + 1,
                                       of: migration.statements.count, reason: PostgresErrorText.of(error))
            }
        }
        try await bookkeeping("recording version \(migration.version) in schema_migrations") {
            try await connection.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                logger: logger)
        }
    }

    /// Runs one of the migrator's own steps, its failure worded as `.database`.
    @discardableResult
    private func bookkeeping<T>(_ step: String, _ body: () async throws -> T) async throws(MigrationError) -> T {
        do {
            return try await body()
        } catch {
            throw .database("\(step): \(PostgresErrorText.of(error))")
        }
    }

    private func validate() throws(MigrationError) {
        for (index, migration) in migrations.enumerated() {
            guard migration.version == index + 1 else {
                throw .invalidList("version \(migration.version) is at place \(index + 1): versions must be 1, 2, 3… in order")
            }
            guard !migration.statements.isEmpty else {
                throw .invalidList("version \(migration.version) has no statements")
            }
        }
    }
}
