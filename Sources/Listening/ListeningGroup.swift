import Logging
import ServiceLifecycle
import UnixSignals

/// Services run together in this process until one of them has bound its listening socket: the
/// bind-and-wait that the local engine's HTTP server and the shell's webhook listener share.
///
/// `start` runs the group in a task and returns once the listening service reports its port, or
/// throws a ``ListenError`` when the group ends first (the address is in use, or another failure).
public final class ListeningGroup: Sendable {
    /// The port bound (the one asked for, or the one picked for port 0).
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Builds the services with `services`, handing it the callback the listening service calls
    /// with its bound port (Hummingbird's `onServerRunning`), and runs them. `signals` (as
    /// `[.sigterm, .sigint]`) make the process's signals trigger graceful shutdown.
    public static func start(
        host: String, port: Int, signals: [UnixSignal] = [], logger: Logger,
        services: (_ onListening: @escaping @Sendable (Int) async -> Void) throws -> [ServiceGroupConfiguration.ServiceConfiguration]
    ) async throws -> ListeningGroup {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let configured = try services { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: configured, gracefulShutdownSignals: signals, logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            // The group ended before listening: its error says why.
            do { try await task.value } catch { throw ListenError(host: host, port: port, underlying: error) }
            throw ListenError(host: host, port: port, underlying: nil)
        }
        return ListeningGroup(port: bound, group: group, task: task)
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Waits until the group stops (after a signal or `shutdown()`); throws what stopped it.
    public func wait() async throws { try await task.value }

    /// Stops gracefully and waits for it.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
