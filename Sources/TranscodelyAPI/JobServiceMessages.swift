/// `JobService/Get` and `JobService/Cancel`: one job by id.
public struct JobIDRequest: Sendable, Hashable, Codable {
    public var id: String

    public init(id: String) { self.id = id }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: ["id"])
        id = try object.require(String.self, "id")
    }
}

/// The answer of Create, Get and Cancel.
public struct JobResponse: Sendable, Hashable, Codable {
    public var job: Job
    public init(job: Job) { self.job = job }
}

/// `JobService/List`: jobs of the organization, ordered by `updated_at` then `id`.
public struct ListJobsRequest: Sendable, Hashable, Codable {
    /// Any of these statuses; empty means every status. The wire takes one value or an array.
    public var status: [JobStatus]
    /// Every pair must match.
    public var metadata: [String: String]
    /// Only jobs changed strictly after this instant.
    public var updatedSince: Timestamp?
    /// 1–1000; nil means 100.
    public var pageSize: Int?
    public var pageToken: String?

    public init(status: [JobStatus] = [], metadata: [String: String] = [:], updatedSince: Timestamp? = nil,
                pageSize: Int? = nil, pageToken: String? = nil) {
        self.status = status
        self.metadata = metadata
        self.updatedSince = updatedSince
        self.pageSize = pageSize
        self.pageToken = pageToken
    }

    enum CodingKeys: String, CodingKey {
        case status, metadata, updatedSince = "updated_since", pageSize = "page_size", pageToken = "page_token"
    }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: ["status", "metadata", "updated_since", "page_size", "page_token"])
        do {
            status = try object.decode(JobStatus.self, "status").map { [$0] } ?? []
        } catch DecodingError.typeMismatch {
            status = try object.decode([JobStatus].self, "status") ?? []
        }
        metadata = try object.decode([String: String].self, "metadata") ?? [:]
        updatedSince = try object.decode(Timestamp.self, "updated_since")
        pageSize = try object.decode(Int.self, "page_size")
        pageToken = try object.decode(String.self, "page_token")
        if let size = pageSize, !(1...1000).contains(size) {
            throw object.error("page_size", "must be 1 to 1000, got \(size)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !status.isEmpty { try c.encode(status, forKey: .status) }
        if !metadata.isEmpty { try c.encode(metadata, forKey: .metadata) }
        try c.encodeIfPresent(updatedSince, forKey: .updatedSince)
        try c.encodeIfPresent(pageSize, forKey: .pageSize)
        if let token = pageToken, !token.isEmpty { try c.encode(token, forKey: .pageToken) }
    }
}

/// The answer of `JobService/List`; `next_page_token` is `""` on the last page.
public struct ListJobsResponse: Sendable, Hashable, Codable {
    public var jobs: [Job]
    public var nextPageToken: String

    public init(jobs: [Job], nextPageToken: String) {
        self.jobs = jobs
        self.nextPageToken = nextPageToken
    }

    enum CodingKeys: String, CodingKey { case jobs, nextPageToken = "next_page_token" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jobs = try c.decodeIfPresent([Job].self, forKey: .jobs) ?? []
        nextPageToken = try c.decodeIfPresent(String.self, forKey: .nextPageToken) ?? ""
    }
}
