/// A place jobs read inputs from and write outputs to. The local engine's origins are folders.
public struct Origin: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    /// `local` for a folder of the local engine.
    public var kind: String
    /// Where the origin lives (a folder path for `local`).
    public var path: String

    public init(id: String, name: String, kind: String, path: String) {
        self.id = id
        self.name = name
        self.kind = kind
        self.path = path
    }
}

/// `OriginService/List` takes no fields.
public struct ListOriginsRequest: Sendable, Hashable, Codable {
    public init() {}
    public init(from decoder: any Decoder) throws { _ = try StrictObject(decoder, fields: []) }
    public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: AnyCodingKey.self) }
}

public struct ListOriginsResponse: Sendable, Hashable, Codable {
    public var origins: [Origin]
    public init(origins: [Origin]) { self.origins = origins }
}

/// `OriginService/Get`.
public struct OriginIDRequest: Sendable, Hashable, Codable {
    public var id: String
    public init(id: String) { self.id = id }
    public init(from decoder: any Decoder) throws {
        id = try StrictObject(decoder, fields: ["id"]).require(String.self, "id")
    }
}

public struct OriginResponse: Sendable, Hashable, Codable {
    public var origin: Origin
    public init(origin: Origin) { self.origin = origin }
}

/// `OriginService/ListFiles`: the files of an origin under a prefix, in path order.
public struct ListFilesRequest: Sendable, Hashable, Codable {
    public var originID: String
    /// A path prefix relative to the origin (`uploads/` or `uploads/ep`); empty for everything.
    public var prefix: String
    public var pageSize: Int?
    public var pageToken: String?

    public init(originID: String, prefix: String = "", pageSize: Int? = nil, pageToken: String? = nil) {
        self.originID = originID
        self.prefix = prefix
        self.pageSize = pageSize
        self.pageToken = pageToken
    }

    enum CodingKeys: String, CodingKey {
        case originID = "origin_id", prefix, pageSize = "page_size", pageToken = "page_token"
    }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: ["origin_id", "prefix", "page_size", "page_token"])
        originID = try object.require(String.self, "origin_id")
        prefix = try object.decode(String.self, "prefix") ?? ""
        pageSize = try object.decode(Int.self, "page_size")
        pageToken = try object.decode(String.self, "page_token")
        if let size = pageSize, !(1...1000).contains(size) {
            throw object.error("page_size", "must be 1 to 1000, got \(size)")
        }
    }
}

/// One file of an origin.
public struct OriginFile: Sendable, Hashable, Codable {
    public var path: String
    public var sizeBytes: Int64
    public var modifiedAt: Timestamp

    public init(path: String, sizeBytes: Int64, modifiedAt: Timestamp) {
        self.path = path
        self.sizeBytes = sizeBytes
        self.modifiedAt = modifiedAt
    }

    enum CodingKeys: String, CodingKey { case path, sizeBytes = "size_bytes", modifiedAt = "modified_at" }
}

public struct ListFilesResponse: Sendable, Hashable, Codable {
    public var files: [OriginFile]
    public var nextPageToken: String

    public init(files: [OriginFile], nextPageToken: String) {
        self.files = files
        self.nextPageToken = nextPageToken
    }

    enum CodingKeys: String, CodingKey { case files, nextPageToken = "next_page_token" }
}
