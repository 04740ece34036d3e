import Foundation
import Logging
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

/// The engine's state in one PostgreSQL database shared by any number of engines ("nodes"):
/// the same contracts as the SQLite store (`JobStore`, `CredentialStore`, `WebhookOutbox`), kept
/// across nodes by the database itself — see docs/scale-out.md for each decision.
///
/// - Creates are one `INSERT … ON CONFLICT (app_id, idempotency_key) DO NOTHING`: concurrent creates
///   under one key on different nodes give one job.
/// - Every transaction that changes jobs takes its `updated_at` from the one-row `job_clock`, whose
///   row lock it holds until it commits: stamps follow commit order, so `List(updated_since)`
///   misses no change. Lock order, which keeps transactions free of deadlocks: job rows first, the
///   clock last (an insert, which locks no existing row, may take the clock first).
/// - A claim takes the next pending job with `FOR UPDATE SKIP LOCKED` and gives it a lease (a random
///   token, an expiry in the database's clock); every write of the attempt names the token, so a
///   node that lost its lease writes nothing. `maintain(for:)` renews this node's leases, rescues
///   expired ones and hears other nodes (LISTEN/NOTIFY on channel `tcly`).
public final class PostgresEngineStore: JobStore, CredentialStore, WebhookOutbox {
    /// This node's name: in leases, attempts and claims, so an operator sees who ran what.
    public let node: String
    public let clock: TimeSource
    public let settings: LeaseSettings
    let client: PostgresClient
    let logger: Logger
    /// Seals webhook secrets; nil for a store opened only to administer apps and keys.
    let secrets: SecretBox?
    /// The webhook event rule (its progress throttle covers the jobs this node runs).
    let events = JobEventRule()
    /// The leases this node holds, by job id: what the heartbeat renews.
    let held = Mutex<[String: Lease]>([:])
    let bell = Mutex<(@Sendable () -> Void)?>(nil)
    private let runner: Task<Void, Never>
    /// This node's hold on its name; nil for a store that runs no jobs (`tcly admin`).
    private let nameLock: NodeNameLock?

    /// The channel every node listens on: `queued`, `outbox` and `cancel <job id>`.
    static let channel = "tcly"

    private init(client: PostgresClient, runner: Task<Void, Never>, nameLock: NodeNameLock?, node: String, secrets: SecretBox?,
                 clock: TimeSource, settings: LeaseSettings, logger: Logger) {
        self.client = client
        self.runner = runner
        self.nameLock = nameLock
        self.node = node
        self.secrets = secrets
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    deinit {
        runner.cancel()
        nameLock?.release()
    }

    /// Connects to `url`, brings the schema up to date (once, under the migration lock, whichever
    /// node comes first) and checks that `secretsKey` is the key the store's webhook secrets were
    /// sealed with (the first node to start records which); without one (`tcly admin`), webhooks
    /// cannot be created or sent through this store. With `holdsNodeName` (a store that runs
    /// jobs), `node` is this process's alone while the store is open: a second process under it
    /// is refused (`NodeNameLock`). Throws `PostgresStoreError`.
    public static func open(_ url: PostgresURL, node: String, secretsKey: URL?, holdsNodeName: Bool = true,
                            clock: TimeSource = .system, settings: LeaseSettings = LeaseSettings(), maximumConnections: Int = 20,
                            logger: Logger) async throws -> PostgresEngineStore {
        if let problem = settings.problem { throw PostgresStoreError(problem) }
        // One connection first: the pool would retry an unreachable server for ever; this says why at once.
        do {
            let probe = try await PostgresConnection.connect(configuration: url.connectionConfiguration(), id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw PostgresStoreError("cannot reach the database at \(url): \(PostgresErrorText.of(error)); check --store (or TRANSCODELY_STORE) and that PostgreSQL runs there")
        }
        var secrets: SecretBox?
        if let secretsKey {
            do { secrets = try SecretBox(file: secretsKey) } catch { throw PostgresStoreError("\(error)") }
        }
        var nameLock: NodeNameLock?
        if holdsNodeName {
            do {
                nameLock = try await NodeNameLock.take(node, at: url, logger: logger)
            } catch let error as PostgresStoreError {
                throw error
            } catch {
                throw PostgresStoreError("cannot reach the database at \(url): \(PostgresErrorText.of(error))")
            }
        }
        let client = PostgresClient(configuration: url.configuration(maximumConnections: maximumConnections), backgroundLogger: logger)
        // Connections are asked for only once `run()` is under way (else the client warns).
        let (running, started) = AsyncStream<Void>.makeStream()
        let runner = Task {
            started.yield()
            started.finish()
            await client.run()
        }
        for await _ in running { break }
        let store = PostgresEngineStore(client: client, runner: runner, nameLock: nameLock, node: node, secrets: secrets,
                                        clock: clock, settings: settings, logger: logger)
        do {
            try await PostgresMigrator(logger: logger).migrate(client)
            if let secretsKey { try await store.checkSecretsKey(secretsKey) }
        } catch let error as MigrationError {
            runner.cancel()
            throw PostgresStoreError("cannot prepare the database at \(url): \(error)")
        } catch let error as PostgresStoreError {
            runner.cancel()
            throw error
        } catch {
            runner.cancel()
            throw PostgresStoreError("cannot reach the database at \(url): \(PostgresErrorText.of(error))")
        }
        return store
    }

    /// Closes every connection. Leases still held expire and are rescued by the other nodes;
    /// an engine requeues its own first (`requeueInterrupted`) when it stops gracefully.
    public func close() {
        runner.cancel()
        nameLock?.release()
    }

    /// A node name unique to this process start: host, pid and a random part.
    public static func defaultNodeName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(getpid())-\(IDGenerator.make("", length: 6))"
    }

    // MARK: - Transactions

    /// Runs `body` in one transaction, retried (up to 3 times) when the server aborts it for a
    /// deadlock or a serialization failure. The server's failures come out as `StoreError`;
    /// `ConnectError` and cancellation pass as they are.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var tries = 0
        while true {
            tries += 1
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch {
                let inner = (error as? PostgresTransactionError)?.closureError ?? error
                if let answer = inner as? ConnectError { throw answer }
                if inner is CancellationError { throw inner }
                if let inner = inner as? PostgresStoreError { throw inner }
                if let inner = inner as? PublishFailure { throw inner }
                if tries < 3, let state = Self.sqlState(inner), state == "40P01" || state == "40001" { continue }
                throw Self.storeError(error)
            }
        }
    }

    /// One statement outside a transaction, its failures as `StoreError`.
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> StoreError {
        let inner = (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.beginError ?? $0.commitError } ?? error
        let reason = sqlState(inner).map { "SQLSTATE \($0)" } ?? "database unreachable"
        return StoreError.unavailable(reason, detail: PostgresErrorText.of(error))
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The next `count` change stamps, the last returned: each at least the engine's clock and
    /// after every stamp given before. Holds the clock's row lock until the transaction ends.
    func takeStamps(_ count: Int, on connection: PostgresConnection) async throws -> Int64 {
        let now = clock.timestamp.microseconds
        let n = Int64(count)
        let rows = try await connection.query("""
            UPDATE job_clock SET last_stamp = GREATEST(last_stamp + \(n), \(now + n - 1)) RETURNING last_stamp
            """, logger: logger).collect()
        return try rows[0].decode(Int64.self)
    }

    /// Tells every node (this one included), when the transaction commits.
    func notify(_ payload: String, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
    }

    // MARK: - The secrets key

    /// Records the key's check value on first use; afterwards, refuses a node whose key differs.
    private func checkSecretsKey(_ file: URL) async throws {
        let probe = "tcly secrets key check"
        let secrets = try sealer()
        let sealed = try secrets.seal(probe)
        let rows = try await query("""
            INSERT INTO store_settings (name, value) VALUES ('secrets_key_check', \(sealed))
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value
            """)
        let stored = try rows[0].decode(String.self)
        guard (try? secrets.open(stored)) == probe else {
            throw PostgresStoreError("\(file.path) is not the key this database's webhook secrets are sealed with; copy secrets.key from the data directory of the node that first used this database (every node needs the same one)")
        }
    }
}

extension PostgresEngineStore {
    /// The secrets' box, or why there is none.
    func sealer() throws -> SecretBox {
        guard let secrets else {
            throw ConnectError.failedPrecondition("this store was opened without a secrets.key (for administration only); webhooks need an engine")
        }
        return secrets
    }
}

/// Why the PostgreSQL store cannot open, in a sentence that says what to do.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
