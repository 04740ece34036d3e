import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import TranscodelyAPI
import TranscodelyEngine

/// The local engine over HTTP (Hummingbird): the Connect routes of API.md plus `GET /healthz`,
/// `GET /metrics` and `GET /openapi.yaml`.
public struct TranscodelyHTTPServer: Sendable {
    public var engine: Engine
    public var host: String
    /// 0 picks a free port; `onListening` tells which.
    public var port: Int
    public var logger: Logger
    /// Serve HTTPS with this certificate (picked up again when its files change); nil: plain HTTP.
    public var tls: ReloadableCertificate?
    /// How often the certificate files are looked at for a renewal.
    public var certificateCheckInterval: Duration = .seconds(2)
    /// Look at the certificate files at once on `SIGHUP` too (only `tcly serve`: a library's
    /// host owns its signals).
    public var reloadOnHangup = false
    /// Who may read `/metrics`.
    public var metricsAccess: MetricsAccess = .open
    /// Shown in `/healthz` as `"warning"` (plain HTTP served beyond loopback on purpose).
    public var healthWarning: String?

    public init(engine: Engine, host: String = "127.0.0.1", port: Int = 8080, logger: Logger = Logger(label: "tcly.server")) {
        self.engine = engine
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// `http` or `https`.
    public var scheme: String { tls == nil ? "http" : "https" }

    /// The Hummingbird application; `onListening` receives the bound port.
    func application(draining: Draining, onListening: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let router = Router()
        let metrics = ServerMetrics()
        ConnectRoutes(engine: engine, metrics: metrics, logger: logger, draining: draining).register(on: router)
        let health = Self.healthBody(warning: healthWarning)
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: ConnectReply.json, body: .init(byteBuffer: ByteBuffer(string: health)))
        }
        let engine = engine
        let access = metricsAccess
        router.get("/metrics") { request, _ in
            if let refusal = access.refusal(authorization: request.headers[.authorization]) {
                return ConnectReply.error(.unauthenticated(refusal), headers: [.wwwAuthenticate: "Bearer"])
            }
            let text = try await metrics.render(jobs: engine.store)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let document = Self.openAPIDocument
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        return Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.tlsConfiguration) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// `{"status":"ok"}`, with `"warning"` when there is one.
    static func healthBody(warning: String?) -> String {
        guard let warning else { return #"{"status":"ok"}"# }
        let data = (try? JSONSerialization.data(withJSONObject: ["status": "ok", "warning": warning], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The OpenAPI description of the API (docs/openapi.yaml), shipped as a resource.
    static let openAPIDocument: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            return "# the OpenAPI document was not installed with this build; see docs/openapi.yaml\n"
        }
        return text
    }()
}
