import Logging
import PostgresNIO
import PostgresStore
import Testing
import TranscodelyTestSupport

/// The migrator against a real PostgreSQL (scripts/test's cluster), each test in a new database.
@Suite("PostgresMigrator", .timeLimit(.minutes(2)))
struct PostgresMigratorTests {
    let logger = TestPostgres.logger

    /// The schema's first version and two of the tests' own, so that ordering and "each exactly
    /// once" have more than one version to be wrong about (whatever versions the schema grows).
    static let threeVersions = Array(PostgresSchema.migrations.prefix(1)) + [
        Migration(version: 2, name: "test: notes", statements: ["CREATE TABLE notes (id integer PRIMARY KEY, job_id text REFERENCES jobs (id))"]),
        Migration(version: 3, name: "test: notes.text", statements: ["ALTER TABLE notes ADD COLUMN text text NOT NULL DEFAULT ''"]),
    ]

    @Test("applies every version to an empty database and records each")
    func appliesOnEmptyDatabase() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                let run = try await PostgresMigrator(logger: logger).migrate(client)
                #expect(run == MigrationRun(applied: PostgresSchema.migrations.map(\.version), version: PostgresSchema.migrations.count))
                #expect(try await recorded(client) == PostgresSchema.migrations.map(\.version))
                let tables = try await tableNames(client)
                for table in ["orgs", "apps", "api_keys", "job_clock", "jobs", "job_attempts", "webhooks",
                              "webhook_deliveries", "webhook_attempts", "rate_limits", "schema_migrations"] {
                    #expect(tables.contains(table), "table \(table) is missing after migrating")
                }
            }
        }
    }

    @Test("4 migrators starting at once on 4 clients apply each version exactly once")
    func concurrentMigratorsApplyOnce() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let migrator = PostgresMigrator(migrations: Self.threeVersions, logger: logger)
            let runs = try await withThrowingTaskGroup(of: MigrationRun.self, returning: [MigrationRun].self) { group in
                for _ in 0..<4 {
                    // A client each, as 4 nodes would have: their own connections, their own lock waits.
                    group.addTask { try await PostgresPool.with(url, logger: logger) { try await migrator.migrate($0) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(runs.count == 4)
            #expect(runs.flatMap(\.applied).sorted() == [1, 2, 3], "each version applied by exactly one run: \(runs)")
            #expect(runs.filter { !$0.applied.isEmpty }.count == 1, "one run applied everything, the others waited and found it done")
            #expect(runs.allSatisfy { $0.version == 3 })
            let versions = try await PostgresPool.with(url, logger: logger) { try await recorded($0) }
            #expect(versions == [1, 2, 3])
        }
    }

    @Test("a second run applies nothing and changes nothing")
    func secondRunIsNoOp() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                let migrator = PostgresMigrator(migrations: Self.threeVersions, logger: logger)
                try await migrator.migrate(client)
                let before = try await appliedAt(client)
                let again = try await migrator.migrate(client)
                #expect(again == MigrationRun(applied: [], version: 3))
                #expect(try await appliedAt(client) == before)
            }
        }
    }

    @Test("a later version applies on its own over an earlier run")
    func appliesOnlyTheNewVersion() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                try await PostgresMigrator(migrations: Array(Self.threeVersions.prefix(2)), logger: logger).migrate(client)
                let run = try await PostgresMigrator(migrations: Self.threeVersions, logger: logger).migrate(client)
                #expect(run.applied == [3])
                #expect(try await recorded(client) == [1, 2, 3])
            }
        }
    }

    @Test("a failing version rolls the whole run back and its error names the version and statement")
    func failingMigrationRollsBack() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                let broken = Array(PostgresSchema.migrations.prefix(1)) + [
                    Migration(version: 2, name: "test: broken", statements: [
                        "CREATE TABLE half_done (id integer PRIMARY KEY)",
                        "ALTER TABLE no_such_table ADD COLUMN x integer",
                    ]),
                ]
                let error = await #expect(throws: MigrationError.self) {
                    try await PostgresMigrator(migrations: broken, logger: logger).migrate(client)
                }
                guard case let .statementFailed(version, name, statement, count, reason)? = error else {
                    Issue.record("expected statementFailed, got \(String(describing: error))")
                    return
                }
                #expect(version == 2 && name == "test: broken" && statement == 2 && count == 2)
                #expect(reason.contains("no_such_table") && reason.contains("42P01"), "the server's reason: \(reason)")
                let text = String(describing: error!)
                #expect(text.contains("migration version 2 (test: broken) failed at statement 2 of 2"), "\(text)")
                // Nothing of the run is left: not version 2's first table, not version 1, not the bookkeeping.
                #expect(try await tableNames(client).isEmpty)

                // Fixed, the same database migrates from scratch.
                let run = try await PostgresMigrator(logger: logger).migrate(client)
                #expect(run.applied == PostgresSchema.migrations.map(\.version))
            }
        }
    }

    @Test("a database migrated by a newer build is refused, and so is a renamed version")
    func refusesNewerOrDivergedSchema() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                try await PostgresMigrator(migrations: Self.threeVersions, logger: logger).migrate(client)
                await #expect(throws: MigrationError.databaseIsNewer(database: 3, known: PostgresSchema.migrations.count)) {
                    try await PostgresMigrator(logger: logger).migrate(client)
                }
                var renamed = Self.threeVersions
                renamed[1].name = "test: notes, renamed"
                await #expect(throws: MigrationError.nameMismatch(version: 2, database: "test: notes", known: "test: notes, renamed")) {
                    try await PostgresMigrator(migrations: renamed, logger: logger).migrate(client)
                }
            }
        }
    }

    @Test("a list out of order is refused before touching the database")
    func refusesBadList() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                let skipped = [Migration(version: 2, name: "two", statements: ["SELECT 1"])]
                await #expect(throws: MigrationError.self) {
                    try await PostgresMigrator(migrations: skipped, logger: logger).migrate(client)
                }
                let tables = try await tableNames(client)
                #expect(tables.isEmpty)
            }
        }
    }

    // MARK: - Reading the database

    private func recorded(_ client: PostgresClient) async throws -> [Int] {
        let rows = try await client.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
        return try await rows.decode(Int.self).reduce(into: []) { $0.append($1) }
    }

    private func appliedAt(_ client: PostgresClient) async throws -> [String] {
        let rows = try await client.query("SELECT version || ' ' || applied_at::text FROM schema_migrations ORDER BY version", logger: logger)
        return try await rows.decode(String.self).reduce(into: []) { $0.append($1) }
    }

    private func tableNames(_ client: PostgresClient) async throws -> Set<String> {
        let rows = try await client.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'", logger: logger)
        return try await rows.decode(String.self).reduce(into: []) { $0.insert($1) }
    }
}
