import Foundation
import Logging
import PostgresNIO
import PostgresStore

/// The PostgreSQL these tests run against: the throwaway cluster that scripts/test starts, whose
/// URL it exports as `TCLY_TEST_POSTGRES_URL`. Each test gets a database of its own, made for it
/// and dropped after. Without the variable every test fails (never skips), saying how to get one.
public enum TestPostgres {
    public static let variable = "TCLY_TEST_POSTGRES_URL"

    /// Warnings and errors only: a passing run says nothing.
    public static let logger: Logger = {
        var logger = Logger(label: "tcly.test.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// The variable is missing or unreadable.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The server's URL, from the variable.
    public static func serverURL() throws -> PostgresURL {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else {
            throw Unavailable(description: """
                \(variable) is not set: these tests need a PostgreSQL server. Run them through scripts/test, \
                which starts a throwaway cluster and sets \(variable); by hand: dir=$(scripts/postgres start); \
                export \(variable)=$(scripts/postgres url "$dir") (and scripts/postgres stop "$dir" after)
                """)
        }
        do {
            return try PostgresURL(parsing: text)
        } catch {
            throw Unavailable(description: "\(variable): \(error)")
        }
    }

    /// Runs `body` with the URL of a new, empty database, dropped afterwards whatever happens.
    public static func withFreshDatabase<Result: Sendable>(_ body: (PostgresURL) async throws -> Result) async throws -> Result {
        let database = try await freshDatabase()
        let result: Result
        do {
            result = try await body(database)
        } catch {
            try? await drop(database)
            throw error
        }
        try await drop(database)
        return result
    }

    /// The rows of one query on `database`, on a connection of its own (for what no store call
    /// shows: lease expiries, attempts, locks).
    public static func rows(_ query: PostgresQuery, in database: PostgresURL) async throws -> [PostgresRow] {
        try await PostgresPool.with(database, maximumConnections: 1, logger: logger) { client in
            try await client.query(query, logger: logger).collect()
        }
    }

    /// A new, empty database for a fixture that drops it itself (`drop`) when it stops.
    public static func freshDatabase() async throws -> PostgresURL {
        let server = try serverURL()
        let name = "tcly_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresPool.with(server, maximumConnections: 1, logger: logger) { client in
            try await client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        return server.with(database: name)
    }

    /// Drops a database `freshDatabase` made, whoever is still connected to it.
    public static func drop(_ database: PostgresURL) async throws {
        try await drop(database.database, on: try serverURL())
    }

    private static func drop(_ name: String, on server: PostgresURL) async throws {
        try await PostgresPool.with(server, maximumConnections: 1, logger: logger) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
        }
    }
}
