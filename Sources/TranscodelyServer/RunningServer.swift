import Foundation
import Listening
import Logging
import ServiceLifecycle
import TranscodelyEngine
import UnixSignals

/// An engine and its HTTP server running together in this process (started through
/// ``LocalEngine``, or directly by tests of the server). Stops gracefully: the server stops taking
/// requests, the workers stop, interrupted jobs are requeued for the next start.
public final class RunningServer: Sendable {
    /// The port the server listens on (useful when asked for port 0).
    public var port: Int { group.port }
    public let host: String
    public let engine: Engine
    /// `http` or `https`.
    public let scheme: String
    private let group: ListeningGroup

    /// `http://HOST:PORT`, or `https://` when serving TLS.
    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Starts the engine and the server; returns once the server listens, or throws
    /// `ListenError` (`.addressInUse`, …). `signals` (as `[.sigterm, .sigint]`) make the
    /// process's signals trigger graceful shutdown.
    public static func start(_ server: TranscodelyHTTPServer, signals: [UnixSignal] = []) async throws -> RunningServer {
        let draining = Draining()
        let group = try await ListeningGroup.start(host: server.host, port: server.port, signals: signals, logger: server.logger) { onListening in
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: server.engine),
                .init(service: try server.application(draining: draining, onListening: onListening)),
                .init(service: DrainService(draining: draining)),
            ]
            if let certificate = server.tls {
                services.append(.init(service: CertificateWatcher(
                    certificate: certificate, interval: server.certificateCheckInterval,
                    reloadOnHangup: server.reloadOnHangup, logger: server.logger)))
            }
            return services
        }
        return RunningServer(host: server.host, engine: server.engine, scheme: server.scheme, group: group)
    }

    private init(host: String, engine: Engine, scheme: String, group: ListeningGroup) {
        self.host = host
        self.engine = engine
        self.scheme = scheme
        self.group = group
    }

    /// Waits until the server stops (after a signal or `shutdown()`).
    public func wait() async throws { try await group.wait() }

    /// Stops gracefully and waits for it.
    public func shutdown() async throws { try await group.shutdown() }
}
