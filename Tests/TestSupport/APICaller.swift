import AsyncHTTPClient
import CompressNIO
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TranscodelyAPI

/// Calls a running Transcodely API over real HTTP, as a client would, and keeps what came back
/// raw (status, headers, JSON) so tests can assert on the wire itself.
public struct APICaller: Sendable {
    public var baseURL: String
    public var key: String?
    public var org: String?
    /// A CA (PEM file) trusted besides the system store, for a server with a test certificate.
    public var caFile: String?

    public init(baseURL: String, key: String?, org: String?, caFile: String? = nil) {
        self.baseURL = baseURL
        self.key = key
        self.org = org
        self.caFile = caFile
    }

    /// One answer: status, headers and body.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data

        /// The body as a JSON object.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
        /// `code` of a Connect error body.
        public var code: String? { json["code"] as? String }
        public var message: String { json["message"] as? String ?? "" }
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers.first(name: name) }

        /// The body decoded as a wire type.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
    }

    /// POSTs `body` (a JSON text) to `/transcodely.v1.{path}`.
    public func call(_ path: String, _ body: String, headers extra: [(String, String)] = [],
                     contentType: String? = "application/json", gzip: Bool = false) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + "/transcodely.v1." + path)
        request.method = .POST
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let org { request.headers.add(name: "X-Organization-ID", value: org) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        var buffer = ByteBuffer(string: body)
        if gzip {
            buffer = try buffer.compress(with: .gzip())
            request.headers.add(name: "Content-Encoding", value: "gzip")
        }
        request.body = .bytes(buffer)
        return try await send(request)
    }

    /// Encodes a wire message and POSTs it.
    public func call<T: Encodable>(_ path: String, message: T) async throws -> Reply {
        try await call(path, String(decoding: try WireCoding.encoder().encode(message), as: UTF8.self))
    }

    /// GETs a path of the server (`/healthz`), with extra headers.
    public func get(_ path: String, headers extra: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Reply {
        var request = request
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caFile)]
            request.tlsConfiguration = tls
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    /// Creates a job and returns the reply; `body` fields override the defaults.
    public func create(path: String = "a.mp4", key: String? = nil, extra: String = "") async throws -> Reply {
        let keyField = key.map { #","idempotency_key":"\#($0)""# } ?? ""
        return try await call("JobService/Create", """
            {"input_origin_id":"ori_local_input","input_path":"\(path)","output_origin_id":"ori_local_output",\
            "outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]\(keyField)\(extra)}
            """)
    }
}
