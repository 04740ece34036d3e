/// The API as data, written once: every service and method with its request and response
/// messages, and every message's fields with their JSON names, types, enum values, whether they
/// are required and what they mean. The shell's `describe` prints it, its completion inside `call`
/// reads field names and enum values from it, and `call` checks a body against it before sending;
/// a test holds it equal to docs/openapi.yaml, so the three cannot drift from the contract.
///
/// Enum values come from the wire enums themselves (`VideoCodec.allCases`), so a new case is in
/// the schema as soon as it is in the code.
public enum APISchema {
    public static let services: [APIService] = [
        APIService(name: "JobService", summary: "transcoding jobs: create, read, list, cancel", methods: [
            APIMethod(service: "JobService", name: "Create",
                      summary: "create a job, or get back the job created earlier under the same idempotency key",
                      request: "CreateJobRequest", response: "JobResponse", safety: .keyedCreate(keyField: "idempotency_key")),
            APIMethod(service: "JobService", name: "Get", summary: "one job of the caller's organization",
                      request: "JobIDRequest", response: "JobResponse", safety: .read),
            APIMethod(service: "JobService", name: "List", summary: "a page of jobs, ordered by updated_at then id",
                      request: "ListJobsRequest", response: "ListJobsResponse", safety: .read),
            APIMethod(service: "JobService", name: "Cancel", summary: "cancel a job that has not ended",
                      request: "JobIDRequest", response: "JobResponse", safety: .write),
            APIMethod(service: "JobService", name: "GetLog", summary: "the encoder's own words per attempt at a job (local engine)",
                      request: "JobIDRequest", response: "JobLog", safety: .read),
        ]),
        APIService(name: "OriginService", summary: "where inputs are read and outputs written", methods: [
            APIMethod(service: "OriginService", name: "List", summary: "every origin of the engine",
                      request: "ListOriginsRequest", response: "ListOriginsResponse", safety: .read),
            APIMethod(service: "OriginService", name: "Get", summary: "one origin by id",
                      request: "OriginIDRequest", response: "OriginResponse", safety: .read),
            APIMethod(service: "OriginService", name: "ListFiles", summary: "a page of an origin's files under a prefix, in path order",
                      request: "ListFilesRequest", response: "ListFilesResponse", safety: .read),
        ]),
        APIService(name: "WebhookService", summary: "endpoints sent the organization's job events", methods: [
            APIMethod(service: "WebhookService", name: "Create", summary: "register an endpoint; the answer holds its secret, shown once",
                      request: "CreateWebhookRequest", response: "WebhookResponse", safety: .write),
            APIMethod(service: "WebhookService", name: "List", summary: "every webhook of the organization, oldest first, without secrets",
                      request: "ListOriginsRequest", response: "ListWebhooksResponse", safety: .read),
            APIMethod(service: "WebhookService", name: "Delete", summary: "delete a webhook and drop its pending deliveries",
                      request: "WebhookIDRequest", response: "EmptyResponse", safety: .write),
        ]),
    ]

    /// Every method, in service order.
    public static var methods: [APIMethod] { services.flatMap(\.methods) }

    /// The method `JobService/Get` (or `transcodely.v1.JobService/Get`) names, if the schema has it.
    public static func method(_ path: String) -> APIMethod? {
        let short = path.hasPrefix("transcodely.v1.") ? String(path.dropFirst("transcodely.v1.".count)) : path
        return methods.first { $0.path == short }
    }

    /// The message of this name.
    public static func message(_ name: String) -> APIMessage? { messagesByName[name] }

    private static let messagesByName: [String: APIMessage] = Dictionary(messages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    static func wire<E: WireEnum>(_ type: E.Type, _ name: String) -> APIType {
        .enumeration(name: name, values: E.allCases.map(\.rawValue))
    }

    static let status = wire(JobStatus.self, "JobStatus")
    static let priority = wire(Priority.self, "Priority")
    static let eventType = APIType.enumeration(name: "WebhookEventType", values: WebhookEvent.Kind.allCases.map(\.rawValue))
    static let pageSize = APIField("page_size", .integer, "1 to 1000 (default 100)")

    /// Every message, requests first.
    public static let messages: [APIMessage] = [
        APIMessage(name: "CreateJobRequest", summary: "what to encode, from where, to where, under which idempotency key", fields: [
            APIField("input_origin_id", .string, required: true, "the origin the input is read from (OriginService/List)", references: .origin),
            APIField("input_path", .string, required: true, "the input, relative to the input origin"),
            APIField("output_origin_id", .string, required: true, "the origin the outputs are written to", references: .origin),
            APIField("idempotency_key", .string, "1 to 255 printable ASCII: the same key and parameters give back the same job"),
            APIField("priority", priority, "higher priority jobs start first (default standard)"),
            APIField("metadata", .map(.string), "at most 32 entries, your own labels (List filters on them)"),
            APIField("outputs", .array(.message("OutputSpecInput")), required: true, "1 to 10 outputs"),
        ]),
        APIMessage(name: "OutputSpecInput", summary: "one output: an mp4 file (exactly one variant) or an hls ladder (1 to 8)", fields: [
            APIField("type", wire(OutputFormat.self, "OutputFormat"), required: true, "the container"),
            APIField("video", .array(.message("VideoVariantInput")), required: true, "the renditions (mp4: exactly one)"),
        ]),
        APIMessage(name: "VideoVariantInput", summary: "one rendition asked for", fields: [
            APIField("codec", wire(VideoCodec.self, "VideoCodec"), required: true, "the video codec"),
            APIField("resolution", wire(Resolution.self, "Resolution"), required: true, "the height class"),
            APIField("quality", wire(QualityTier.self, "QualityTier"), "the quality tier (default standard)"),
        ]),
        APIMessage(name: "JobIDRequest", summary: "one job by id", fields: [
            APIField("id", .string, required: true, "the job's id (job_…)", references: .job),
        ]),
        APIMessage(name: "ListJobsRequest", summary: "which jobs, every field optional", fields: [
            APIField("status", .oneOrMany(status), "one status or several; absent means every status"),
            APIField("metadata", .map(.string), "every pair must equal the job's"),
            APIField("updated_since", .timestamp, "only jobs changed strictly after this instant"),
            pageSize,
            APIField("page_token", .string, "the next_page_token of the previous page"),
        ]),
        APIMessage(name: "ListOriginsRequest", summary: "no fields", fields: []),
        APIMessage(name: "OriginIDRequest", summary: "one origin by id", fields: [
            APIField("id", .string, required: true, "the origin's id (ori_…)", references: .origin),
        ]),
        APIMessage(name: "ListFilesRequest", summary: "an origin's files under a prefix", fields: [
            APIField("origin_id", .string, required: true, "the origin", references: .origin),
            APIField("prefix", .string, "a prefix of the relative path; empty for every file"),
            pageSize,
            APIField("page_token", .string, "the next_page_token of the previous page"),
        ]),
        APIMessage(name: "CreateWebhookRequest", summary: "an endpoint and the events it is sent", fields: [
            APIField("url", .string, required: true, "an http:// or https:// URL the engine may reach"),
            APIField("events", .array(eventType), "the events to send; absent means the three that end a job"),
        ]),
        APIMessage(name: "WebhookIDRequest", summary: "one webhook by id", fields: [
            APIField("id", .string, required: true, "the webhook's id (wh_…)", references: .webhook),
        ]),
        APIMessage(name: "JobResponse", summary: "the answer of Create, Get and Cancel", fields: [
            APIField("job", .message("Job"), required: true, "the job"),
        ]),
        APIMessage(name: "ListJobsResponse", summary: "a page of jobs", fields: [
            APIField("jobs", .array(.message("Job")), required: true, "ordered by updated_at then id"),
            APIField("next_page_token", .string, required: true, "\"\" on the last page"),
        ]),
        APIMessage(name: "Job", summary: "a transcoding job", fields: [
            APIField("id", .string, required: true, "job_…", references: .job),
            APIField("status", status, required: true, "pending → probing → processing → completed | failed; canceled"),
            APIField("progress", .number, required: true, "0 to 100, never decreasing"),
            APIField("input_origin_id", .string, required: true, "as requested", references: .origin),
            APIField("input_path", .string, required: true, "as requested"),
            APIField("output_origin_id", .string, required: true, "as requested", references: .origin),
            APIField("idempotency_key", .string, "present when the job was created with one"),
            APIField("priority", priority, required: true, "as requested"),
            APIField("metadata", .map(.string), required: true, "as requested"),
            APIField("outputs", .array(.message("OutputSpec")), required: true, "as requested, quality filled in"),
            APIField("input", .message("MediaInfo"), "what probing found, once it has"),
            APIField("results", .array(.message("OutputResult")), "once completed, one per output"),
            APIField("error", .message("JobError"), "why it failed, only when failed"),
            APIField("created_at", .timestamp, required: true, "when it was created"),
            APIField("updated_at", .timestamp, required: true, "its last change (strictly increasing across the store)"),
            APIField("started_at", .timestamp, "when probing began"),
            APIField("completed_at", .timestamp, "when it ended"),
        ]),
        APIMessage(name: "OutputSpec", summary: "one output of a job", fields: [
            APIField("type", wire(OutputFormat.self, "OutputFormat"), required: true, "the container"),
            APIField("video", .array(.message("VideoVariant")), required: true, "the renditions"),
        ]),
        APIMessage(name: "VideoVariant", summary: "one rendition of an output", fields: [
            APIField("codec", wire(VideoCodec.self, "VideoCodec"), required: true, "the video codec"),
            APIField("resolution", wire(Resolution.self, "Resolution"), required: true, "the height class"),
            APIField("quality", wire(QualityTier.self, "QualityTier"), required: true, "the quality tier"),
        ]),
        APIMessage(name: "MediaInfo", summary: "what probing found out about the input", fields: [
            APIField("duration_seconds", .number, required: true, "its length"),
            APIField("width", .integer, required: true, "as displayed, rotation applied"),
            APIField("height", .integer, required: true, "as displayed, rotation applied"),
            APIField("video_codec", .string, required: true, "the input's video codec"),
            APIField("frame_rate", .number, required: true, "frames per second"),
            APIField("has_audio", .boolean, required: true, "whether it has a sound track"),
        ]),
        APIMessage(name: "OutputResult", summary: "one finished output", fields: [
            APIField("type", wire(OutputFormat.self, "OutputFormat"), required: true, "the container"),
            APIField("path", .string, required: true, "relative to the output origin"),
            APIField("size_bytes", .integer, required: true, "its size"),
            APIField("duration_seconds", .number, "its length"),
            APIField("variants", .array(.message("VariantResult")), required: true, "its renditions"),
        ]),
        APIMessage(name: "VariantResult", summary: "one finished rendition", fields: [
            APIField("resolution", wire(Resolution.self, "Resolution"), required: true, "the height class asked for"),
            APIField("path", .string, required: true, "relative to the output origin"),
            APIField("bitrate_kbps", .integer, required: true, "its video bitrate"),
            APIField("codec", wire(VideoCodec.self, "VideoCodec"), "its codec"),
            APIField("width", .integer, "its frame width"),
            APIField("height", .integer, "its frame height"),
            APIField("note", .string, "set when produced below what was asked (a smaller source)"),
        ]),
        APIMessage(name: "JobError", summary: "why a job failed", fields: [
            APIField("code", .enumeration(name: "JobErrorCode", values: JobError.Code.allCases.map(\.rawValue)), required: true,
                     "the failure's code"),
            APIField("message", .string, required: true, "a sentence"),
            APIField("category", .enumeration(name: "FailureCategory", values: FailureCategory.allCases.map(\.rawValue)),
                     "what kind of thing failed (local engine)"),
            APIField("retryable", .boolean, "whether the same request may succeed later (local engine)"),
            APIField("phase", .enumeration(name: "FailurePhase", values: FailurePhase.allCases.map(\.rawValue)),
                     "where in the work it failed (local engine)"),
            APIField("position_seconds", .number, "where in the input it broke, when known (local engine)"),
            APIField("attempt", .integer, "the attempt that failed, from 1 (local engine)"),
        ]),
        APIMessage(name: "JobLog", summary: "the encoder's words per attempt at a job", fields: [
            APIField("job_id", .string, required: true, "the job", references: .job),
            APIField("attempts", .array(.message("JobAttempt")), required: true, "oldest first"),
        ]),
        APIMessage(name: "JobAttempt", summary: "one run of the encoder on a job", fields: [
            APIField("number", .integer, required: true, "from 1"),
            APIField("started_at", .timestamp, required: true, "when it began"),
            APIField("ended_at", .timestamp, "when it ended; absent while it runs"),
            APIField("outcome", .enumeration(name: "AttemptOutcome", values: ["running", "completed", "failed", "canceled", "interrupted"]),
                     required: true, "how it ended"),
            APIField("command", .array(.string), required: true, "the argv run, paths relative to their origins"),
            APIField("tool", .string, required: true, "the tool and its version"),
            APIField("lines", .array(.string), required: true, "error and warning lines, then the last lines"),
            APIField("truncated", .boolean, required: true, "lines were dropped to stay within the bound"),
        ]),
        APIMessage(name: "Origin", summary: "a place jobs read inputs from and write outputs to", fields: [
            APIField("id", .string, required: true, "ori_…", references: .origin),
            APIField("name", .string, required: true, "its name"),
            APIField("kind", .enumeration(name: "OriginKind", values: ["local"]), required: true, "local: a folder of the engine"),
            APIField("path", .string, required: true, "where it lives"),
        ]),
        APIMessage(name: "ListOriginsResponse", summary: "every origin", fields: [
            APIField("origins", .array(.message("Origin")), required: true, "the origins"),
        ]),
        APIMessage(name: "OriginResponse", summary: "one origin", fields: [
            APIField("origin", .message("Origin"), required: true, "the origin"),
        ]),
        APIMessage(name: "OriginFile", summary: "one file of an origin", fields: [
            APIField("path", .string, required: true, "relative to the origin"),
            APIField("size_bytes", .integer, required: true, "its size"),
            APIField("modified_at", .timestamp, required: true, "when it last changed"),
        ]),
        APIMessage(name: "ListFilesResponse", summary: "a page of files", fields: [
            APIField("files", .array(.message("OriginFile")), required: true, "in path order"),
            APIField("next_page_token", .string, required: true, "\"\" on the last page"),
        ]),
        APIMessage(name: "Webhook", summary: "an endpoint sent job events", fields: [
            APIField("id", .string, required: true, "wh_…", references: .webhook),
            APIField("url", .string, required: true, "where events are sent"),
            APIField("events", .array(eventType), required: true, "the events sent to it"),
            APIField("secret", .string, "whsec_…: only in the answer to Create (shown once)"),
            APIField("disabled_reason", .string, "why deliveries stopped (it answered 410 Gone)"),
        ]),
        APIMessage(name: "WebhookResponse", summary: "one webhook", fields: [
            APIField("webhook", .message("Webhook"), required: true, "the webhook"),
        ]),
        APIMessage(name: "ListWebhooksResponse", summary: "every webhook", fields: [
            APIField("webhooks", .array(.message("Webhook")), required: true, "oldest first, without secrets"),
        ]),
        APIMessage(name: "EmptyResponse", summary: "no fields", fields: []),
    ]
}
