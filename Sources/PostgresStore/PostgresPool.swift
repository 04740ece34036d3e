import Logging
import PostgresNIO

/// A pool of connections to one database, alive for the duration of a closure: the client's
/// `run()` goes in a task group beside the closure and is cancelled when it ends, which closes
/// every connection, whether the closure returned or threw. (Not named `PostgresDatabase`:
/// PostgresNIO has a protocol of that name.)
public enum PostgresPool {
    /// Runs `body` with a running client for `url`.
    @discardableResult
    public static func with<Result: Sendable>(
        _ url: PostgresURL,
        maximumConnections: Int = 20,
        logger: Logger,
        _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: url.configuration(maximumConnections: maximumConnections), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            // Start the body only once the child is about to enter `run()`: a lease asked for
            // before that still waits, but makes the client log a warning that it is not running.
            await withCheckedContinuation { (running: CheckedContinuation<Void, Never>) in
                group.addTask {
                    running.resume()
                    await client.run()
                }
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
