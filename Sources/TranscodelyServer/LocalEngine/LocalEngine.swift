import Foundation
import Listening
import TranscodelyAPI
import Timekeeping
import TranscodelyEngine

/// The one way to run an engine in a process — `tcly serve`, the shell's embedded default, the
/// benchmarks' server and every test fixture: a configuration in, a running engine and HTTP
/// server out, with the credentials a client needs to call it.
///
/// The server module does not know the client module: a caller builds its client configuration
/// from ``baseURL`` and ``credentials`` (and, over TLS, the CA it trusts).
public final class LocalEngine: Sendable {
    /// The engine (its store, for administration and tests).
    public let engine: Engine
    /// The HTTP server in front of it.
    public let server: RunningServer
    /// The key of an app this process knows: created now, adopted, or fixed; nil when a first
    /// start found apps already there.
    public let credentials: Credentials?
    /// What this start created, for the operator to be told once (first start only).
    public let created: CreatedApp?
    /// How many jobs run at once.
    public let workers: Int
    /// The TLS certificate served, when serving HTTPS.
    public let certificate: ReloadableCertificate?
    /// ffmpeg was asked for with `.ffmpegOrSimulate` and is not installed: jobs are simulated.
    public let simulatesForLackOfFFmpeg: Bool
    /// What the operator should fix but the engine runs despite, one sentence each (a data
    /// directory others can read, plain HTTP beyond loopback).
    public let warnings: [String]

    /// Lets a shared store's connections go, once the engine has stopped (and requeued).
    private let closeStore: @Sendable () -> Void

    /// `http://HOST:PORT`, or `https://` when serving TLS.
    public var baseURL: String { server.baseURL }

    /// Starts the engine and its server; returns once the server listens. Throws
    /// ``LocalEngineError``, and leaves nothing running when it throws.
    public static func start(_ configuration: Configuration) async throws(LocalEngineError) -> LocalEngine {
        var certificate: ReloadableCertificate?
        if let tls = configuration.tls {
            do { certificate = try ReloadableCertificate(certificateFile: tls.certificateFile, keyFile: tls.keyFile) } catch {
                throw LocalEngineError(.certificate, error.message, underlying: error)
            }
        }
        let host = configuration.host, tlsOn = certificate != nil
        if let refusal = ListenPolicy.refusal(host: host, port: configuration.port, tls: tlsOn, insecureHTTP: configuration.insecureHTTP) {
            throw LocalEngineError(.listenRefused, refusal)
        }
        let (encoder, simulated) = try await makeEncoder(configuration.encoder)
        let opened: OpenedStore
        do { opened = try await openStore(configuration.storage, clock: configuration.clock, logger: configuration.logger) } catch {
            throw LocalEngineError(.store, LocalEngineError.sentence(error), underlying: error)
        }
        var settings = Engine.Configuration(dataDirectory: configuration.storage.dataDirectory)
        settings.store = opened.opener
        settings.rateLimits = opened.rateLimits
        settings.origins = configuration.origins
        settings.encoder = encoder
        settings.workers = configuration.workers ?? (encoder.name == "ffmpeg" ? ffmpegWorkers : simulatedWorkers)
        settings.clock = configuration.clock
        settings.logger = configuration.logger
        settings.webhooks = configuration.webhooks
        let engine: Engine
        do { engine = try Engine(settings) } catch {
            opened.close()
            throw LocalEngineError(.store, LocalEngineError.sentence(error), underlying: error)
        }
        var http = TranscodelyHTTPServer(engine: engine, host: host, port: configuration.port, logger: configuration.logger)
        http.tls = certificate
        http.reloadOnHangup = configuration.reloadCertificateOnHangup
        http.healthWarning = ListenPolicy.warning(host: host, tls: tlsOn, insecureHTTP: configuration.insecureHTTP)
        http.metricsAccess = .policy(listeningOnLoopback: ListenPolicy.isLoopback(host), token: configuration.metricsToken)
        let server: RunningServer
        do { server = try await RunningServer.start(http, signals: configuration.signals) } catch let error as ListenError {
            opened.close()
            throw LocalEngineError(error.code == .addressInUse ? .addressInUse : .notListening, error.description, underlying: error)
        } catch {
            opened.close()
            throw LocalEngineError(.notListening, "could not listen on \(host):\(configuration.port): \(error)", underlying: error)
        }
        // After the bind: a start that cannot listen creates no app whose new key nobody saw.
        let credentials: Credentials?, created: CreatedApp?
        do { (credentials, created) = try await prepareApps(configuration.apps, tier: configuration.tier, store: engine.store) } catch {
            try? await server.shutdown()
            opened.close()
            let what = if case .firstStart = configuration.apps { "the first app" } else { "the engine's app" }
            throw LocalEngineError(.apps, "could not create \(what): \(LocalEngineError.sentence(error))", underlying: error)
        }
        return LocalEngine(engine: engine, server: server, credentials: credentials, created: created, workers: settings.workers,
                           certificate: certificate, simulatesForLackOfFFmpeg: simulated,
                           warnings: engine.warnings + [http.healthWarning].compactMap { $0 }, closeStore: opened.close)
    }

    /// Runs `body` with an engine started from `configuration`, and always stops it — when `body`
    /// returns and when it throws — before returning.
    public static func with<Result>(_ configuration: Configuration,
                                    _ body: (LocalEngine) async throws -> Result) async throws -> Result {
        let local = try await start(configuration)
        let result: Result
        do { result = try await body(local) } catch {
            try? await local.stop()
            throw error
        }
        try await local.stop()
        return result
    }

    private init(engine: Engine, server: RunningServer, credentials: Credentials?, created: CreatedApp?, workers: Int,
                 certificate: ReloadableCertificate?, simulatesForLackOfFFmpeg: Bool, warnings: [String],
                 closeStore: @escaping @Sendable () -> Void) {
        self.closeStore = closeStore
        self.engine = engine
        self.server = server
        self.credentials = credentials
        self.created = created
        self.workers = workers
        self.certificate = certificate
        self.simulatesForLackOfFFmpeg = simulatesForLackOfFFmpeg
        self.warnings = warnings
    }

    /// Waits until the engine stops (after one of `configuration.signals`, or `stop()`).
    public func wait() async throws {
        defer { release() }
        try await server.wait()
    }

    /// Stops gracefully and waits for it: the server stops taking requests, the workers stop,
    /// interrupted jobs are requeued for the next start.
    public func stop() async throws {
        defer { release() }
        try await server.shutdown()
    }

    /// What a stopped engine still holds: a shared store's connections, the data directory.
    private func release() {
        closeStore()
        engine.releaseDataDirectory()
    }

    /// Default jobs at once with ffmpeg: measured by scripts/bench/encode (docs/BENCHMARKS.md).
    public static let ffmpegWorkers = 1
    /// Default jobs at once with the simulation (or an encoder of the caller's).
    public static let simulatedWorkers = 8

    private static func makeEncoder(_ choice: EncoderChoice) async throws(LocalEngineError) -> (any MediaEncoder, simulated: Bool) {
        switch choice {
        case let .ffmpeg(threads):
            do { return (try await FFmpegEncoder.detect(threads: threads), false) } catch {
                throw LocalEngineError(.encoder, LocalEngineError.sentence(error), underlying: error)
            }
        case .ffmpegOrSimulate:
            do { return (try await FFmpegEncoder.detect(), false) } catch { return (SimulatedEncoder(), true) }
        case let .simulate(spec):
            return (SimulatedEncoder(spec: spec), false)
        case let .custom(encoder):
            return (encoder, false)
        }
    }
}
