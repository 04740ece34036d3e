import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TranscodelyEngine
import UnixSignals

/// An engine and its HTTP server running together in this process: what `tcly serve`, the shell's
/// embedded default and the tests start. Stops gracefully: the server stops taking requests, the
/// workers stop, interrupted jobs are requeued for the next start.
public final class RunningServer: Sendable {
    /// The port the server listens on (useful when asked for port 0).
    public let port: Int
    public let host: String
    public let engine: Engine
    /// `http` or `https`.
    public let scheme: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `http://HOST:PORT`, or `https://` when serving TLS.
    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Starts the engine and the server; returns once the server listens. `signals` (as
    /// `[.sigterm, .sigint]`) make the process's signals trigger graceful shutdown.
    public static func start(_ server: TranscodelyHTTPServer, signals: [UnixSignal] = []) async throws -> RunningServer {
        let draining = Draining()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try server.application(draining: draining) { port in continuation.yield(port) }
        let drain = DrainService(draining: draining)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server.engine),
            .init(service: application),
            .init(service: drain),
        ]
        if let certificate = server.tls {
            services.append(.init(service: CertificateWatcher(
                certificate: certificate, interval: server.certificateCheckInterval,
                reloadOnHangup: server.reloadOnHangup, logger: server.logger)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: signals,
            logger: server.logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The group ended before listening: its error says why (port in use, …).
            try await task.value
            throw ServerStartError(message: "the server stopped before it listened on \(server.host):\(server.port)")
        }
        return RunningServer(port: port, host: server.host, engine: server.engine, scheme: server.scheme, group: group, task: task)
    }

    private init(port: Int, host: String, engine: Engine, scheme: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.engine = engine
        self.scheme = scheme
        self.group = group
        self.task = task
    }

    /// Waits until the server stops (after a signal or `shutdown()`).
    public func wait() async throws { try await task.value }

    /// Stops gracefully and waits for it.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Why a server could not start, in one line.
public struct ServerStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Marks the server as draining as soon as graceful shutdown begins.
private struct DrainService: Service {
    let draining: Draining
    func run() async throws {
        try? await gracefulShutdown()
        draining.begin()
    }
}
