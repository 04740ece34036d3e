import Logging
import PostgresNIO
import Synchronization

/// A node's hold on its name: a session-level advisory lock on a connection of its own, kept for
/// as long as the store is open, so that two live processes never run under one `--node`. It
/// matters because a node requeues the jobs leased under its name when it starts: a second
/// process under a live node's name would take that node's running jobs away from it.
///
/// The hold ends when the store closes, and when the process dies: its connection closes and
/// PostgreSQL frees the lock (at once on one machine; across a network, once the server notices
/// the connection is gone, which its TCP keepalive settings bound).
final class NodeNameLock: Sendable {
    private let connection: PostgresConnection
    private let released = Atomic(false)

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Takes `name` at `url`, or throws `PostgresStoreError` naming the process that holds it.
    static func take(_ name: String, at url: PostgresURL, logger: Logger) async throws -> NodeNameLock {
        var configuration = try url.connectionConfiguration()
        configuration.options.additionalStartupParameters = [("application_name", applicationName(name))]
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended(\("tcly node " + name), 0))",
                                                  logger: logger).collect()
            if try rows.first?.decode(Bool.self) == true { return NodeNameLock(connection: connection) }
            // The session that holds this lock in this database (another database's node of the same name is not it).
            let holder = try await connection.query("""
                SELECT coalesce(host(a.client_addr), 'a local socket'), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(\("tcly node " + name), 0)
                """, logger: logger).collect().first.map { try $0.decode((String, String).self) }
            try? await connection.close()
            let who = holder.map { " (connected from \($0.0) since \($0.1) UTC)" } ?? ""
            throw PostgresStoreError("""
                node name "\(name)" is in use: another live process runs under it\(who); give each node its own --node \
                name, or stop that process first (a dead process's hold ends once PostgreSQL drops its connection)
                """)
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// What the holding connection calls itself in `pg_stat_activity` (PostgreSQL keeps 63 bytes).
    private static func applicationName(_ name: String) -> String {
        String(decoding: ("tcly node " + name).utf8.prefix(63), as: UTF8.self)
    }

    /// Gives the name up: the connection closes (nothing waits for it). Also done when the lock
    /// goes, whichever comes first.
    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let connection = connection
        // The connection must outlive its close (PostgresNIO checks that a connection it frees was closed).
        connection.close().whenComplete { _ in _ = connection }
    }

    deinit { release() }
}
