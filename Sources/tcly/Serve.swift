import ArgumentParser
import Foundation
import Logging
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import UnixSignals

/// `tcly serve`: the local engine on this machine.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the local engine: the Transcodely API, durable in SQLite, on loopback by default.",
        discussion: """
            On first start with an empty data directory it creates an organization and an app: with
            TRANSCODELY_API_KEY and TRANSCODELY_ORG_ID set, that organization owning that key;
            otherwise it generates both and prints them once.
            Origins ori_local_input and ori_local_output (folders under the data directory) always exist.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @OptionGroup var data: DataOption

    @Option(name: .customLong("origin"), help: ArgumentHelp("An origin: a folder jobs read from or write to.", valueName: "ID=DIR"))
    var origins: [String] = []

    @Option(help: "Tier of the app created on first start: standard (100/s, burst 200), premium (500/s, burst 1000) or unlimited.")
    var tier: Tier = .standard

    @Option(help: "ffmpeg (real encoding) or simulate (no media: states, timing and progress only).")
    var encoder = "ffmpeg"

    @Option(help: ArgumentHelp("With --encoder simulate: probe=SECONDS,encode=SECONDS,fail=FRACTION.", valueName: "SPEC"))
    var simulate: String?

    @Option(help: "How many jobs run at once (default: 1 with ffmpeg, which gives each job every core; 8 with simulate).")
    var workers: Int?

    @Option(help: "ffmpeg threads per job (default 0: ffmpeg uses every core).")
    var threads = 0

    @Option(name: .customLong("webhook-allow"),
            help: ArgumentHelp("A network webhooks may be delivered to besides loopback (repeatable).", valueName: "CIDR"))
    var webhookAllow: [String] = []

    @Option(name: .customLong("tls-cert"),
            help: ArgumentHelp("Serve HTTPS with this PEM certificate (chain); a renewed file is picked up without a restart.", valueName: "FILE"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "FILE"))
    var tlsKey: String?

    @Flag(name: .customLong("insecure-http"),
          help: "Allow plain HTTP on an address beyond loopback (API keys cross the network unencrypted).")
    var insecureHTTP = false

    @Option(name: .customLong("metrics-token"),
            help: ArgumentHelp("/metrics answers only Authorization: Bearer TOKEN (TRANSCODELY_METRICS_TOKEN); beyond loopback it answers nobody without one.", valueName: "TOKEN"))
    var metricsToken: String?

    @Option(name: .customLong("ca-file"),
            help: ArgumentHelp("A PEM CA trusted, besides the system's, for https webhook receivers (TRANSCODELY_CA_FILE).", valueName: "FILE"))
    var caFile: String?

    @Option(name: .customLong("webhook-retry-scale"),
            help: ArgumentHelp("Multiplies webhook retry delays (5 s, 5 min, 30 min, …); below 1 for tests.", valueName: "FACTOR"))
    var webhookRetryScale: Double = 1

    func validate() throws {
        if !(0...64).contains(threads) {
            throw ValidationError("--threads must be 0...64, got \(threads)")
        }
        if let workers, !(1...256).contains(workers) {
            throw ValidationError("--workers must be 1...256, got \(workers)")
        }
        for network in webhookAllow where IPNetwork(network) == nil {
            throw ValidationError("--webhook-allow takes a CIDR (as 10.0.0.0/8 or fd00::/8), got \"\(network)\"")
        }
        if !(webhookRetryScale > 0 && webhookRetryScale <= 1000) {
            throw ValidationError("--webhook-retry-scale must be above 0 and at most 1000, got \(webhookRetryScale)")
        }
        if simulate != nil, encoder != "simulate" {
            throw ValidationError("--simulate goes with --encoder simulate")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError(tlsCert == nil ? "--tls-key goes with --tls-cert FILE" : "--tls-cert goes with --tls-key FILE")
        }
    }

    func run() async throws {
        let logger = makeLogger("tcly.serve")
        let (host, port) = parseListen()
        let environment = ProcessInfo.processInfo.environment
        var certificate: ReloadableCertificate?
        if let tlsCert, let tlsKey {
            do { certificate = try ReloadableCertificate(certificateFile: tlsCert, keyFile: tlsKey) } catch { fail(error.message) }
        }
        if let refusal = ListenPolicy.refusal(host: host, port: port, tls: certificate != nil, insecureHTTP: insecureHTTP) {
            fail(refusal)
        }
        let trusted = caFile ?? environment["TRANSCODELY_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let trusted {
            do { try TrustedCA.check(trusted, source: caFile == nil ? "TRANSCODELY_CA_FILE" : "--ca-file") } catch { fail(error.message) }
        }
        var configuration = Engine.Configuration(dataDirectory: data.directory)
        configuration.logger = logger
        configuration.origins = parseOrigins()
        configuration.encoder = await makeEncoder()
        configuration.workers = workers ?? (configuration.encoder.name == "ffmpeg" ? Self.ffmpegWorkers : 8)
        configuration.webhooks.allowedNetworks = webhookAllow.compactMap(IPNetwork.init)
        configuration.webhooks.retryScale = webhookRetryScale
        configuration.webhooks.caFile = trusted
        let engine: Engine
        do { engine = try Engine(configuration) } catch { fail(describe(error)) }
        for warning in engine.warnings { warn(warning) }
        await bootstrap(engine.store)
        var server = TranscodelyHTTPServer(engine: engine, host: host, port: port, logger: logger)
        server.tls = certificate
        server.reloadOnHangup = true
        server.healthWarning = ListenPolicy.warning(host: host, tls: certificate != nil, insecureHTTP: insecureHTTP)
        let token = metricsToken ?? environment["TRANSCODELY_METRICS_TOKEN"]
        server.metricsAccess = .policy(listeningOnLoopback: ListenPolicy.isLoopback(host), token: token)
        if let warning = server.healthWarning { warn(warning) }
        let running: RunningServer
        do {
            running = try await RunningServer.start(server, signals: [.sigterm, .sigint])
        } catch {
            let text = String(describing: error)
            if text.contains("Address already in use") || text.contains("errno: 98") {
                fail("\(host):\(port) is already in use; pick another with --listen HOST:PORT")
            }
            fail("could not listen on \(host):\(port): \(text)")
        }
        let served = certificate.map { ", TLS certificate valid until \(CertificatePair.format($0.notValidAfter))" } ?? ""
        Console.line("tcly serve: listening on \(running.baseURL) (data \(data.directory.path), encoder \(engine.encoder.name), \(configuration.workers) workers\(served))")
        do { try await running.wait() } catch { fail("the engine stopped: \(describe(error))") }
    }

    private func parseListen() -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else {
            fail("--listen takes HOST:PORT (as 127.0.0.1:8080), got \"\(listen)\"", code: 2)
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    private func parseOrigins() -> [String: URL] {
        var result: [String: URL] = [:]
        for text in origins {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                fail("--origin takes ID=DIR (as ori_media=/srv/media), got \"\(text)\"", code: 2)
            }
            result[parts[0]] = URL(fileURLWithPath: parts[1])
        }
        return result
    }

    /// Default jobs at once with ffmpeg: measured by scripts/bench/encode (docs/BENCHMARKS.md).
    static let ffmpegWorkers = 1

    private func makeEncoder() async -> any MediaEncoder {
        switch encoder {
        case "simulate":
            do {
                return SimulatedEncoder(spec: try simulate.map { text throws(ConnectError) in try SimulatedEncoder.Spec(parsing: text) } ?? .init())
            } catch { fail(error.message, code: 2) }
        case "ffmpeg":
            do { return try await FFmpegEncoder.detect(threads: threads) } catch { fail(describe(error)) }
        default:
            fail("--encoder takes ffmpeg or simulate, got \"\(encoder)\"", code: 2)
        }
    }

    /// First start: create the organization and app the environment names, or generate them.
    private func bootstrap(_ store: EngineStore) async {
        do {
            guard try await !store.hasApps() else { return }
            let environment = ProcessInfo.processInfo.environment
            if let key = environment["TRANSCODELY_API_KEY"], !key.isEmpty,
               let org = environment["TRANSCODELY_ORG_ID"], !org.isEmpty {
                let (app, _) = try await store.createApp(orgID: org, name: "default", tier: tier, key: key)
                Console.line("tcly serve: created organization \(org) with app \(app.name) (tier \(tier.rawValue)) owning the key in TRANSCODELY_API_KEY")
            } else {
                let (app, key) = try await store.createApp(orgID: "org_local", name: "default", tier: tier)
                Console.line("""
                    tcly serve: created organization org_local with app \(app.name) (tier \(tier.rawValue)).
                      export TRANSCODELY_ORG_ID=org_local
                      export TRANSCODELY_API_KEY=\(key)
                    This key is shown once; tcly admin app create makes more.
                    """)
            }
        } catch {
            fail("could not create the first app: \(describe(error))")
        }
    }
}

/// The sentence of an error, for one-line reports.
func describe(_ error: any Error) -> String {
    (error as? ConnectError)?.message ?? String(describing: error)
}
