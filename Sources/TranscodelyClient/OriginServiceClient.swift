import TranscodelyAPI

/// `transcodely.v1.OriginService`. ListFiles may be missing on the hosted service: it then fails
/// with `unimplemented` (or `not_found`), and callers ask for explicit paths instead.
public protocol OriginServiceClient: Sendable {
    func list() async throws(ClientError) -> [Origin]
    func get(id: String) async throws(ClientError) -> Origin
    func listFiles(_ request: ListFilesRequest) async throws(ClientError) -> ListFilesResponse
}

public struct HTTPOriginServiceClient: OriginServiceClient {
    public var transport: ConnectTransport

    public init(_ transport: ConnectTransport) { self.transport = transport }

    public func list() async throws(ClientError) -> [Origin] {
        try await transport.call("OriginService/List", body: Array("{}".utf8), as: ListOriginsResponse.self, retry: .safe).0.origins
    }

    public func get(id: String) async throws(ClientError) -> Origin {
        try await transport.call("OriginService/Get", body: ConnectTransport.body(OriginIDRequest(id: id)),
                                 as: OriginResponse.self, retry: .safe).0.origin
    }

    public func listFiles(_ request: ListFilesRequest) async throws(ClientError) -> ListFilesResponse {
        try await transport.call("OriginService/ListFiles", body: ConnectTransport.body(request),
                                 as: ListFilesResponse.self, retry: .safe).0
    }
}
