import ArgumentParser
import Foundation
import Logging
import PostgresStore
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import UnixSignals

/// `tcly serve`: the local engine on this machine.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the local engine: the Transcodely API, durable in SQLite (or in PostgreSQL shared with other nodes: --store), on loopback by default.",
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
    @OptionGroup var storeOption: StoreOption

    @Option(name: .customLong("node"),
            help: ArgumentHelp("With --store: this node's name in leases and attempts (default: host, pid and a random part, new at every start; give a stable one to requeue this node's own jobs at once after a crash; one live process per name: a second is refused).",
                               valueName: "NAME"))
    var node: String?

    @Option(help: ArgumentHelp("With --store: how long a claim holds a job without renewal (default 30).", valueName: "SECONDS"))
    var lease: Double?

    @Option(help: ArgumentHelp("With --store: how often this node renews its leases and rescues expired ones (default 5; at most a third of --lease).", valueName: "SECONDS"))
    var heartbeat: Double?

    @Option(name: .customLong("max-attempts"),
            help: ArgumentHelp("With --store: claims of one job at most; a job whose lease expires on the last fails (category engine). Default 3.", valueName: "N"))
    var maxAttempts: Int?

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

    @Option(name: .customLong("webhook-disable-after"),
            help: ArgumentHelp("Disable a webhook after this many deliveries in a row given up (default 5; 1...1000).", valueName: "N"))
    var webhookDisableAfter: Int?

    @Option(name: .customLong("webhook-retention"),
            help: ArgumentHelp("Keep settled webhook deliveries and their attempts this many days (default 7; 0.01...3650).", valueName: "DAYS"))
    var webhookRetention: Double?

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

    func validate() throws {
        if !(0...64).contains(threads) {
            throw ValidationError("--threads must be 0...64, got \(threads)")
        }
        if let workers, !(1...256).contains(workers) {
            throw ValidationError("--workers must be 1...256, got \(workers)")
        }
        for network in webhookAllow where IPNetwork(network) == nil {
            throw ValidationError("--webhook-allow takes a CIDR, got \"\(network)\"; give one as 10.0.0.0/8 or fd00::/8")
        }
        if let webhookDisableAfter, !(1...1000).contains(webhookDisableAfter) {
            throw ValidationError("--webhook-disable-after must be 1...1000 deliveries, got \(webhookDisableAfter)")
        }
        if let webhookRetention, !(0.01...3650).contains(webhookRetention) {
            throw ValidationError("--webhook-retention must be 0.01...3650 days, got \(webhookRetention)")
        }
        if simulate != nil, encoder != "simulate" {
            throw ValidationError("--simulate goes with --encoder simulate; add --encoder simulate or drop --simulate")
        }
        if storeOption.database == nil, node != nil {
            throw ValidationError("--node names a node of a shared store; add --store postgres://… or drop --node")
        }
        if let node, node.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || node.count > 200 {
            throw ValidationError("--node takes a name of 1 to 200 characters, not blank; got \"\(node)\"")
        }
        if storeOption.database == nil, lease != nil || heartbeat != nil || maxAttempts != nil {
            throw ValidationError("--lease, --heartbeat and --max-attempts go with --store postgres://…; add --store or drop them")
        }
        for case let (flag, seconds?) in [("--lease", lease), ("--heartbeat", heartbeat)] where !(seconds.isFinite && seconds > 0 && seconds <= 86_400) {
            throw ValidationError("\(flag) takes seconds, more than 0 and at most 86400 (a day); got \(seconds)")
        }
        if let problem = leaseSettings.problem { throw ValidationError(problem) }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError(tlsCert == nil ? "--tls-key goes with --tls-cert; give both FILEs" : "--tls-cert goes with --tls-key; give both FILEs")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = LocalEngine.Configuration(storage: storeOption.storage(data: data.directory, node: node, leases: leaseSettings))
        (configuration.host, configuration.port) = parseListen()
        configuration.logger = makeLogger("tcly.serve")
        configuration.origins = parseOrigins()
        configuration.encoder = encoderChoice()
        configuration.workers = workers
        configuration.tier = tier
        configuration.apps = .firstStart(adopting: .fromEnvironment(environment))
        if let tlsCert, let tlsKey { configuration.tls = .init(certificateFile: tlsCert, keyFile: tlsKey) }
        configuration.insecureHTTP = insecureHTTP
        configuration.metricsToken = metricsToken ?? environment["TRANSCODELY_METRICS_TOKEN"]
        configuration.webhooks.allowedNetworks = webhookAllow.compactMap(IPNetwork.init)
        configuration.webhooks.caFile = trustedCA(environment)
        if let webhookDisableAfter { configuration.webhooks.disableAfterGivenUp = webhookDisableAfter }
        if let webhookRetention { configuration.webhooks.retention = .seconds(webhookRetention * 86_400) }
        configuration.signals = [.sigterm, .sigint]
        configuration.reloadCertificateOnHangup = true
        let local: LocalEngine
        do { local = try await LocalEngine.start(configuration) } catch where error.code == .addressInUse {
            fail("\(configuration.host):\(configuration.port) is already in use; pick another with --listen HOST:PORT")
        } catch {
            fail(error.message)
        }
        for warning in local.warnings { warn(warning) }
        if let created = local.created { announce(created) }
        let served = local.certificate.map { ", TLS certificate valid until \(CertificatePair.format($0.notValidAfter))" } ?? ""
        let shared = if case .postgres = configuration.storage { ", store \(configuration.storage.label)" } else { "" }
        Console.line("tcly serve: listening on \(local.baseURL) (data \(data.directory.path)\(shared), encoder \(local.engine.encoder.name), \(local.workers) workers\(served))")
        do { try await local.wait() } catch { fail("the engine stopped: \(describe(error))") }
    }

    /// The lease timings of `--lease`, `--heartbeat` and `--max-attempts` (defaults where absent).
    private var leaseSettings: LeaseSettings {
        var settings = LeaseSettings()
        if let lease { settings.lease = .milliseconds(Int64((lease * 1000).rounded())) }
        if let heartbeat { settings.heartbeat = .milliseconds(Int64((heartbeat * 1000).rounded())) }
        if let maxAttempts { settings.maxAttempts = maxAttempts }
        return settings
    }

    /// The CA file trusted for https webhook receivers (`--ca-file`, else `TRANSCODELY_CA_FILE`),
    /// checked here so that a bad one is named as the user gave it.
    private func trustedCA(_ environment: [String: String]) -> String? {
        let trusted = caFile ?? environment["TRANSCODELY_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let trusted {
            do { try TrustedCA.check(trusted, source: caFile == nil ? "TRANSCODELY_CA_FILE" : "--ca-file") } catch { fail(error.message) }
        }
        return trusted
    }

    private func parseListen() -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else {
            fail("serve: --listen takes HOST:PORT, got \"\(listen)\"; give one as 127.0.0.1:8080", code: 2)
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
                fail("serve: --origin takes ID=DIR, got \"\(text)\"; give one as ori_media=/srv/media", code: 2)
            }
            result[parts[0]] = URL(fileURLWithPath: parts[1])
        }
        return result
    }

    private func encoderChoice() -> LocalEngine.EncoderChoice {
        switch encoder {
        case "simulate":
            do {
                return .simulate(try simulate.map { text throws(ConnectError) in try SimulatedEncoder.Spec(parsing: text) } ?? .init())
            } catch { fail(error.message, code: 2) }
        case "ffmpeg":
            return .ffmpeg(threads: threads)
        default:
            fail("serve: --encoder takes ffmpeg or simulate, got \"\(encoder)\"", code: 2)
        }
    }

    /// First start: says which organization and app were created, and a generated key once.
    private func announce(_ created: LocalEngine.CreatedApp) {
        if created.adopted {
            Console.line("tcly serve: created organization \(created.organizationID) with app \(created.appName) (tier \(created.tier.rawValue)) owning the key in TRANSCODELY_API_KEY")
        } else {
            Console.line("""
                tcly serve: created organization \(created.organizationID) with app \(created.appName) (tier \(created.tier.rawValue)).
                  export TRANSCODELY_ORG_ID=\(created.organizationID)
                  export TRANSCODELY_API_KEY=\(created.generatedKey ?? "")
                This key is shown once; tcly admin app create makes more.
                """)
        }
    }
}
