import Foundation
import ShellKit
import Synchronization
import Timekeeping
import TranscodelyAPI
import BatchKit
import TranscodelyClient

/// The state the transcoding commands share, held by the shell as its host state: the API's
/// clients, the session, the defaults and named presets.
public final class TranscodelyContext: Sendable {
    public let jobs: any JobServiceClient
    public let origins: any OriginServiceClient
    public let session: ShellSession
    /// The transport under the clients, for `call` (any method with any body); nil for a context
    /// made of clients alone.
    public let transport: ConnectTransport?
    /// What the API has said of its rate limit on this connection: batches start from it.
    public let rateLimit: AdvertisedLimit
    /// Origins used when a command names none.
    public let inputOrigin: String
    public let outputOrigin: String
    /// What the commands wait on and stamp with (batches' pacing, `watch`, the job inbox, saved
    /// scripts' dates): `.system`, or a `TestClock`'s source in tests.
    public let clock: TimeSource
    private let presets = Mutex<[String: [OutputSpec]]>([:])
    /// Batches running in the background, by name: their pacers take pause, resume and rate changes.
    private let running = Mutex<[String: (pacer: Pacer, task: Task<Void, Never>)]>([:])

    func startBackground(_ name: String, pacer: Pacer, task: Task<Void, Never>) {
        running.withLock { $0[name] = (pacer, task) }
    }

    func finishBackground(_ name: String) { _ = running.withLock { $0.removeValue(forKey: name) } }

    /// The pacer of a running background batch (the only one when `name` is nil); errors are
    /// `command`'s.
    func runningPacer(_ name: String?, command: String = "rate") throws(ShellError) -> (String, Pacer) {
        let all = running.withLock { $0.mapValues(\.pacer) }
        if let name {
            guard let pacer = all[name] else {
                throw ShellError("\(command): no batch \"\(name)\" is running; running: \(all.keys.sorted().joined(separator: ", ").ifEmpty("none"))")
            }
            return (name, pacer)
        }
        guard all.count == 1, let only = all.first else {
            throw ShellError(all.isEmpty ? "\(command): no batch is running; start one with batch … --background"
                                         : "\(command): several batches run (\(all.keys.sorted().joined(separator: ", "))); name one")
        }
        return (only.key, only.value)
    }

    /// Where `listen` registers its receiver; nil when the connection has no WebhookService.
    public let webhooks: (any WebhookServiceClient)?
    /// The receiver `listen` (or `watch --webhook`) started, if any.
    private let listenerState = Mutex<WebhookListener?>(nil)

    public init(jobs: any JobServiceClient, origins: any OriginServiceClient, webhooks: (any WebhookServiceClient)? = nil,
                session: ShellSession, inputOrigin: String = "ori_local_input", outputOrigin: String = "ori_local_output",
                rateLimit: AdvertisedLimit = AdvertisedLimit(), clock: TimeSource = .system, transport: ConnectTransport? = nil) {
        self.transport = transport
        self.rateLimit = rateLimit
        self.clock = clock
        self.jobs = jobs
        self.origins = origins
        self.webhooks = webhooks
        self.session = session
        self.inputOrigin = inputOrigin
        self.outputOrigin = outputOrigin
    }

    /// A context over one transport, reading the rate limit from its every answer.
    public convenience init(transport: ConnectTransport, session: ShellSession,
                            inputOrigin: String = "ori_local_input", outputOrigin: String = "ori_local_output",
                            clock: TimeSource = .system) {
        let rateLimit = AdvertisedLimit()
        var transport = transport
        let earlier = transport.observer
        transport.observer = { info in
            earlier?(info)
            rateLimit.observe(info)
        }
        self.init(jobs: HTTPJobServiceClient(transport), origins: HTTPOriginServiceClient(transport),
                  webhooks: HTTPWebhookServiceClient(transport), session: session,
                  inputOrigin: inputOrigin, outputOrigin: outputOrigin, rateLimit: rateLimit, clock: clock, transport: transport)
    }

    /// The running receiver, if any.
    public var listener: WebhookListener? { listenerState.withLock { $0 } }

    /// Starts a receiver on `host:port` and registers it, replacing (and unregistering) one that
    /// ran elsewhere; the running one is kept when it already is what was asked for (or for
    /// port 0 with no URL given, any running one).
    func listen(host: String, port: Int, publicURL: String?) async throws -> WebhookListener {
        if let current = listener, publicURL == nil || current.url == publicURL,
           port == 0 && publicURL == nil || current.port == port && current.host == host {
            return current
        }
        guard let webhooks else { throw ShellError("this connection has no WebhookService; use an API that has one") }
        await stopListening()
        let started = try await WebhookListener.start(host: host, port: port, publicURL: publicURL, session: session, webhooks: webhooks,
                                                      clock: clock)
        listenerState.withLock { $0 = started }
        return started
    }

    /// Stops the receiver and deletes its registration: `listen --stop`, and when the shell ends.
    public func stopListening() async {
        guard let current = listenerState.withLock({ state in defer { state = nil }; return state }) else { return }
        await current.stop()
    }

    public func preset(_ name: String) -> [OutputSpec]? { presets.withLock { $0[name] } }
    public func definePreset(_ name: String, _ outputs: [OutputSpec]) { presets.withLock { $0[name] = outputs } }
    /// The presets' names, sorted (what Tab offers after `--preset`).
    public var presetNames: [String] { presets.withLock { $0.keys.sorted() } }

    /// The outputs a command asks for: its `--output` SPECs and `--preset`, or `mp4:h264:720p`.
    func outputs(specs: [String], preset: String?) throws(ShellError) -> [OutputSpec] {
        var outputs = try specs.map { spec throws(ShellError) in try OutputSpecParser.parse(spec) }
        if let preset {
            guard let named = self.preset(preset) else {
                throw ShellError("--preset: no preset \"\(preset)\"; define one with: preset \(preset) SPEC...", status: 2)
            }
            outputs += named
        }
        return outputs.isEmpty ? [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])] : outputs
    }

    /// `--meta K=V` values.
    static func metadata(_ pairs: [String]) throws(ShellError) -> [String: String] {
        var metadata: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ShellError("--meta takes KEY=VALUE (as content_id=episode-01), got \"\(pair)\"", status: 2)
            }
            metadata[parts[0]] = parts[1]
        }
        return metadata
    }
}
