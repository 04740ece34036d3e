import Logging
import PostgresNIO
import PostgresStore
import Testing
import TranscodelyTestSupport

/// What version 1 of the schema itself guarantees, whatever store code runs on it.
@Suite("PostgreSQL schema", .timeLimit(.minutes(2)))
struct SchemaTests {
    let logger = TestPostgres.logger

    @Test("the same app and idempotency key make one job, even from concurrent clients; another app or no key does not conflict")
    func idempotencyKeyIsUniquePerApp() async throws {
        try await withMigratedDatabase { url, client in
            try await client.query("INSERT INTO orgs VALUES ('org_1', 'Org', 0)", logger: logger)
            try await client.query("INSERT INTO apps VALUES ('app_1', 'org_1', 'one', 'standard', 0), ('app_2', 'org_1', 'two', 'standard', 0)", logger: logger)

            #expect(try await create(client, id: "job_a", app: "app_1", key: "k") == true)
            #expect(try await create(client, id: "job_b", app: "app_1", key: "k") == false)
            #expect(try await create(client, id: "job_c", app: "app_2", key: "k") == true)
            #expect(try await create(client, id: "job_d", app: "app_1", key: nil) == true)
            #expect(try await create(client, id: "job_e", app: "app_1", key: nil) == true)

            // Two "nodes" (clients of their own) racing the same key: one row.
            let inserted = try await withThrowingTaskGroup(of: Bool.self, returning: [Bool].self) { group in
                for node in 0..<2 {
                    group.addTask {
                        try await PostgresPool.with(url, logger: logger) { try await create($0, id: "job_race\(node)", app: "app_1", key: "race") }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(inserted.filter { $0 }.count == 1, "one of the two racing creates inserted: \(inserted)")
            #expect(try await count(client, "SELECT count(*) FROM jobs WHERE app_id = 'app_1' AND idempotency_key = 'race'") == 1)
            #expect(try await count(client, "SELECT count(*) FROM jobs") == 5)
        }
    }

    @Test("a lease is whole (token, node and expiry together) and only on a running job")
    func leaseColumnsAreChecked() async throws {
        try await withMigratedDatabase { _, client in
            try await client.query("INSERT INTO orgs VALUES ('org_1', 'Org', 0)", logger: logger)
            try await client.query("INSERT INTO apps VALUES ('app_1', 'org_1', 'one', 'standard', 0)", logger: logger)
            _ = try await create(client, id: "job_a", app: "app_1", key: "k")

            let claim: PostgresQuery = """
                UPDATE jobs SET status = 'processing', attempt = attempt + 1, lease_token = gen_random_uuid(),
                    lease_node = 'node-a', lease_expires_at = now() + interval '30 seconds' WHERE id = 'job_a'
                """
            try await client.query(claim, logger: logger)
            try await expectViolation("jobs_lease_whole") {
                try await client.query("UPDATE jobs SET lease_node = NULL WHERE id = 'job_a'", logger: logger)
            }
            try await expectViolation("jobs_lease_while_running") {
                try await client.query("UPDATE jobs SET status = 'completed' WHERE id = 'job_a'", logger: logger)
            }
            try await client.query("UPDATE jobs SET status = 'completed', lease_token = NULL, lease_node = NULL, lease_expires_at = NULL WHERE id = 'job_a'", logger: logger)
            #expect(try await count(client, "SELECT attempt FROM jobs WHERE id = 'job_a'") == 1)
        }
    }

    @Test("the change clock gives stamps in commit order: a second writer waits for the first to commit")
    func changeClockOrdersByCommit() async throws {
        try await withMigratedDatabase { url, client in
            try await PostgresPool.with(url, logger: logger) { other in
                let stamp: PostgresQuery = "UPDATE job_clock SET last_stamp = GREATEST(last_stamp + 1, 1000) RETURNING last_stamp"
                // The first writer takes its stamp and, before committing, lets a second writer try.
                let (first, second) = try await client.withTransaction(logger: logger) { connection in
                    let first = try await connection.query(stamp, logger: logger).decode(Int64.self).reduce(into: []) { $0.append($1) }
                    // The second writer's stamp must wait for this commit: give it a short lock timeout.
                    let second = try await other.withTransaction(logger: logger) { connection in
                        try await connection.query("SET LOCAL lock_timeout = '200ms'", logger: logger)
                        do {
                            return try await connection.query(stamp, logger: logger).decode(Int64.self).reduce(into: []) { $0.append($1) }
                        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
                            return [Int64]()
                        }
                    }
                    return (first, second)
                }
                #expect(first == [1000])
                #expect(second.isEmpty, "the second writer got a stamp (\(second)) while the first had not committed")
                // After the commit it gets the next one, even with an engine clock that went back.
                let after = try await other.query("UPDATE job_clock SET last_stamp = GREATEST(last_stamp + 1, 5) RETURNING last_stamp", logger: logger)
                #expect(try await after.decode(Int64.self).reduce(into: []) { $0.append($1) } == [1001])
            }
        }
    }

    // MARK: - Helpers

    private func withMigratedDatabase(_ body: (PostgresURL, PostgresClient) async throws -> Void) async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await PostgresPool.with(url, logger: logger) { client in
                try await PostgresMigrator(logger: logger).migrate(client)
                try await body(url, client)
            }
        }
    }

    /// The store's idempotent create, reduced to its one statement: true when it inserted.
    private func create(_ client: PostgresClient, id: String, app: String, key: String?) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO jobs (id, org_id, app_id, idempotency_key, request_hash, status, priority, input_origin_id,
                              input_path, output_origin_id, metadata, outputs, created_at, updated_at)
            VALUES (\(id), 'org_1', \(app), \(key), '\\x00'::bytea, 'pending', 0, 'orig_in', 'a.mp4', 'orig_out', '{}', '[]', 0, 0)
            ON CONFLICT (app_id, idempotency_key) DO NOTHING
            RETURNING id
            """, logger: logger)
        return try await rows.decode(String.self).reduce(into: []) { $0.append($1) } == [id]
    }

    private func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        return try await rows.decode(Int.self).reduce(into: []) { $0.append($1) }.first ?? -1
    }

    private func expectViolation(_ constraint: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            Issue.record("expected a violation of \(constraint)")
        } catch let error as PSQLError {
            #expect(error.serverInfo?[.sqlState] == "23514", "a check violation")
            #expect(error.serverInfo?[.constraintName] == constraint)
        }
    }
}
