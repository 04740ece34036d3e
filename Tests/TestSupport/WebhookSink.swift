import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Listening
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A webhook receiver for tests: a real HTTP server on a loopback port that records every
/// delivery (headers, body, when) and answers as the test scripts it (500 once, 410, Retry-After).
public final class WebhookSink: Sendable {
    /// One delivery as received.
    public struct Delivery: Sendable {
        public var id: String
        public var timestamp: String
        public var signature: String
        public var body: [UInt8]
        public var at: ContinuousClock.Instant
        /// The Host the request named (`host:port`): the URL's host, whatever address it came to.
        public var host: String
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
        /// `data.job.id` and `type` of the event.
        public var jobID: String { ((json["data"] as? [String: Any])?["job"] as? [String: Any])?["id"] as? String ?? "" }
        public var type: String { json["type"] as? String ?? "" }
    }

    /// The answer to the Nth delivery (from 0): a status and extra headers.
    public typealias Script = @Sendable (Int) -> (Int, [String: String])

    public let port: Int
    /// `https` when started with a certificate.
    public let scheme: String
    public var url: String { "\(scheme)://127.0.0.1:\(port)/hook" }
    /// The deliveries, in a class the route handler can hold.
    private final class Received: Sendable {
        let list = Mutex<[Delivery]>([])
    }

    private let received = Received()
    private let listening: ListeningGroup

    /// Starts the receiver on `port` (0: a free one); with `certificate` (PEM certificate and key
    /// files) it serves HTTPS.
    public init(port: Int = 0, certificate: (certificateFile: String, keyFile: String)? = nil,
                script: @escaping Script = { _ in (204, [:]) }) async throws {
        let received = self.received
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = Array(try await request.body.collect(upTo: 8 << 20).readableBytesView)
            func header(_ name: String) -> String { request.headers[HTTPField.Name(name)!] ?? "" }
            let index = received.list.withLock { list in
                list.append(Delivery(id: header("webhook-id"), timestamp: header("webhook-timestamp"),
                                     signature: header("webhook-signature"), body: body, at: .now,
                                     host: request.head.authority ?? header("host")))
                return list.count - 1
            }
            let (status, extra) = script(index)
            var fields = HTTPFields()
            for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: status), headers: fields)
        }
        let quiet = Logger(label: "sink", factory: { _ in SwiftLogNoOpLogHandler() })
        var tls: TLSConfiguration?
        if let certificate {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: certificate.keyFile, format: .pem)
            tls = .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        }
        scheme = certificate == nil ? "http" : "https"
        listening = try await ListeningGroup.start(host: "127.0.0.1", port: port, logger: quiet) { onListening in
            [.init(service: Application(router: router, server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
                                        configuration: .init(address: .hostname("127.0.0.1", port: port)),
                                        onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: quiet))]
        }
        self.port = listening.port
    }

    /// Runs `body` with a receiver started as `init` does, and always stops it (awaited), also
    /// when `body` throws.
    public static func with<Result>(port: Int = 0, certificate: (certificateFile: String, keyFile: String)? = nil,
                                    script: @escaping Script = { _ in (204, [:]) },
                                    _ body: (WebhookSink) async throws -> Result) async throws -> Result {
        try await scoped(try await WebhookSink(port: port, certificate: certificate, script: script), stop: { await $0.stop() }, body)
    }

    public var deliveries: [Delivery] { received.list.withLock { $0 } }

    /// Waits until `condition` holds of the deliveries (or `seconds` pass); returns them.
    @discardableResult
    public func wait(seconds: Double = 30, until condition: ([Delivery]) -> Bool) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let now = deliveries
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SampleError("the webhook sink never saw what was awaited; it has \(deliveries.count) deliveries: \(deliveries.map { "\($0.type) \($0.jobID)" })")
    }

    /// Stops the receiver and waits for it; `with` calls it.
    public func stop() async {
        _ = try? await listening.shutdown()
    }
}
