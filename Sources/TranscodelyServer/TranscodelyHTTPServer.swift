import Foundation
import HTTPTypes
import Hummingbird
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

    public init(engine: Engine, host: String = "127.0.0.1", port: Int = 8080, logger: Logger = Logger(label: "tcly.server")) {
        self.engine = engine
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// The Hummingbird application; `onListening` receives the bound port.
    func application(draining: Draining, onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let metrics = ServerMetrics()
        ConnectRoutes(engine: engine, metrics: metrics, logger: logger, draining: draining).register(on: router)
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: ConnectReply.json, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        let engine = engine
        router.get("/metrics") { _, _ in
            let text = try await metrics.render(engine: engine)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let document = Self.openAPIDocument
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
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
