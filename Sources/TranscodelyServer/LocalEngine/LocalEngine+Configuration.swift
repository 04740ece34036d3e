import Foundation
import Logging
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
import UnixSignals

extension LocalEngine {
    /// Everything that decides how a local engine runs: where it keeps its data, how it encodes,
    /// which apps it has, where it listens and how. Every field but `storage` has a default, so a
    /// test states only what it cares about.
    public struct Configuration: Sendable {
        /// Where the engine keeps its store and local origins.
        public var storage: Storage
        public var encoder: EncoderChoice = .simulate(SimulatedEncoder.Spec())
        /// How many jobs run at once; nil: 1 with ffmpeg (it gives each job every core), 8 otherwise.
        public var workers: Int?
        /// The tier of the apps this configuration creates.
        public var tier: Tier = .standard
        /// Origins besides `ori_local_input`/`ori_local_output`: id → folder.
        public var origins: [String: URL] = [:]
        /// Which app the engine starts with, and whose key this process knows.
        public var apps: Apps = .firstStart(adopting: nil)
        /// The address to listen on; port 0 picks a free one.
        public var host = "127.0.0.1"
        public var port = 0
        /// Serve HTTPS with these files (picked up again when renewed); nil: plain HTTP.
        public var tls: TLSFiles?
        /// Serve plain HTTP beyond loopback anyway (the health check then carries a warning).
        public var insecureHTTP = false
        /// `/metrics` answers only this bearer token; without one it is open on loopback and
        /// closed beyond it.
        public var metricsToken: String?
        /// Where webhooks may go, how they are retried, which CA their https receivers may use.
        public var webhooks = WebhookPolicy()
        public var clock: TimeSource = .system
        /// Signals of this process that stop the engine gracefully (`tcly serve`: SIGTERM, SIGINT).
        public var signals: [UnixSignal] = []
        /// Look at the certificate files at once on `SIGHUP` too (only a process that owns its signals).
        public var reloadCertificateOnHangup = false
        public var logger = Logger(label: "tcly.engine")

        public init(storage: Storage) { self.storage = storage }

        /// A configuration over a data directory.
        public init(dataDirectory: URL) { self.init(storage: .directory(dataDirectory)) }
    }
}
