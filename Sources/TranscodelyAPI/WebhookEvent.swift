/// What a webhook delivers: `{"type": "job.completed", "id": "evt_…", "created_at": "…",
/// "data": {"job": Job}}`. `id` is also the delivery's `webhook-id`, the same on every retry.
public struct WebhookEvent: Sendable, Hashable, Codable {
    /// The event types of API.md.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case completed = "job.completed"
        case failed = "job.failed"
        case canceled = "job.canceled"
        case progress = "job.progress"

        /// The event a job in `status` gives (progress while it runs).
        public init(for status: JobStatus) {
            switch status {
            case .completed: self = .completed
            case .failed: self = .failed
            case .canceled: self = .canceled
            default: self = .progress
            }
        }
    }

    public struct Payload: Sendable, Hashable, Codable {
        public var job: Job
        public init(job: Job) { self.job = job }
    }

    public var type: String
    public var id: String
    public var createdAt: Timestamp
    public var data: Payload

    public init(type: Kind, id: String, createdAt: Timestamp, job: Job) {
        self.type = type.rawValue
        self.id = id
        self.createdAt = createdAt
        data = Payload(job: job)
    }

    enum CodingKeys: String, CodingKey {
        case type, id, data
        case createdAt = "created_at"
    }
}

extension WebhookEvent: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("created_at"); writer.timestamp(createdAt)
        writer.key("data")
        writer.beginObject()
        writer.key("job"); data.job.write(to: &writer)
        writer.endObject()
        writer.field("id", id)
        writer.field("type", type)
        writer.endObject()
    }
}
