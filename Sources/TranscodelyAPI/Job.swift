/// A transcoding job as the API returns it.
///
/// Decoding is lenient (unknown fields are ignored) so that a client keeps working when a server
/// adds fields; optional parts appear as the job advances: `input` after probing, `results` once
/// completed, `error` only when failed.
public struct Job: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var status: JobStatus
    /// 0–100, never decreasing; 100 when completed.
    public var progress: Double
    public var inputOriginID: String
    public var inputPath: String
    public var outputOriginID: String
    public var idempotencyKey: String?
    public var priority: Priority
    public var metadata: [String: String]
    public var outputs: [OutputSpec]
    public var input: MediaInfo?
    public var results: [OutputResult]?
    public var error: JobError?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?

    public init(id: String, status: JobStatus, progress: Double = 0, request: CreateJobRequest,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.status = status
        self.progress = progress
        inputOriginID = request.inputOriginID
        inputPath = request.inputPath
        outputOriginID = request.outputOriginID
        idempotencyKey = request.idempotencyKey
        priority = request.priority
        metadata = request.metadata
        outputs = request.outputs
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, status, progress
        case inputOriginID = "input_origin_id", inputPath = "input_path", outputOriginID = "output_origin_id"
        case idempotencyKey = "idempotency_key", priority, metadata, outputs, input, results, error
        case createdAt = "created_at", updatedAt = "updated_at", startedAt = "started_at", completedAt = "completed_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        status = try c.decode(JobStatus.self, forKey: .status)
        progress = try c.decodeIfPresent(Double.self, forKey: .progress) ?? 0
        inputOriginID = try c.decodeIfPresent(String.self, forKey: .inputOriginID) ?? ""
        inputPath = try c.decodeIfPresent(String.self, forKey: .inputPath) ?? ""
        outputOriginID = try c.decodeIfPresent(String.self, forKey: .outputOriginID) ?? ""
        idempotencyKey = try c.decodeIfPresent(String.self, forKey: .idempotencyKey)
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority) ?? .standard
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        outputs = try c.decodeIfPresent([OutputSpec].self, forKey: .outputs) ?? []
        input = try c.decodeIfPresent(MediaInfo.self, forKey: .input)
        results = try c.decodeIfPresent([OutputResult].self, forKey: .results)
        error = try c.decodeIfPresent(JobError.self, forKey: .error)
        createdAt = try c.decode(Timestamp.self, forKey: .createdAt)
        updatedAt = try c.decode(Timestamp.self, forKey: .updatedAt)
        startedAt = try c.decodeIfPresent(Timestamp.self, forKey: .startedAt)
        completedAt = try c.decodeIfPresent(Timestamp.self, forKey: .completedAt)
    }
}

/// What probing found out about the input.
public struct MediaInfo: Sendable, Hashable, Codable {
    public var durationSeconds: Double
    /// Width and height as displayed, rotation applied.
    public var width: Int
    public var height: Int
    public var videoCodec: String
    public var frameRate: Double
    public var hasAudio: Bool

    public init(durationSeconds: Double, width: Int, height: Int, videoCodec: String, frameRate: Double, hasAudio: Bool) {
        self.durationSeconds = durationSeconds
        self.width = width
        self.height = height
        self.videoCodec = videoCodec
        self.frameRate = frameRate
        self.hasAudio = hasAudio
    }

    enum CodingKeys: String, CodingKey {
        case durationSeconds = "duration_seconds", width, height, videoCodec = "video_codec"
        case frameRate = "frame_rate", hasAudio = "has_audio"
    }
}

/// One finished output: where it is in the output origin and what it holds.
public struct OutputResult: Sendable, Hashable, Codable {
    public var type: OutputFormat
    /// Relative to the output origin: `jobs/job_…/hls/master.m3u8`.
    public var path: String
    public var sizeBytes: Int64
    public var durationSeconds: Double?
    public var variants: [VariantResult]

    public init(type: OutputFormat, path: String, sizeBytes: Int64, durationSeconds: Double? = nil, variants: [VariantResult]) {
        self.type = type
        self.path = path
        self.sizeBytes = sizeBytes
        self.durationSeconds = durationSeconds
        self.variants = variants
    }

    enum CodingKeys: String, CodingKey {
        case type, path, sizeBytes = "size_bytes", durationSeconds = "duration_seconds", variants
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(OutputFormat.self, forKey: .type)
        path = try c.decode(String.self, forKey: .path)
        sizeBytes = try c.decodeIfPresent(Int64.self, forKey: .sizeBytes) ?? 0
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        variants = try c.decodeIfPresent([VariantResult].self, forKey: .variants) ?? []
    }
}

/// One rendition of a finished output.
public struct VariantResult: Sendable, Hashable, Codable {
    /// The resolution asked for.
    public var resolution: Resolution
    public var path: String
    public var bitrateKbps: Int
    public var codec: VideoCodec?
    public var width: Int?
    public var height: Int?
    /// Set when the rung was produced below what was asked: the source was smaller (never upscaled).
    public var note: String?

    public init(resolution: Resolution, path: String, bitrateKbps: Int, codec: VideoCodec? = nil,
                width: Int? = nil, height: Int? = nil, note: String? = nil) {
        self.resolution = resolution
        self.path = path
        self.bitrateKbps = bitrateKbps
        self.codec = codec
        self.width = width
        self.height = height
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case resolution, path, bitrateKbps = "bitrate_kbps", codec, width, height, note
    }
}

/// Why a job failed: the code of API.md, a sentence, and what the local engine adds (all
/// optional on the wire, so a client keeps working against an API without them): the failure's
/// category, whether the same request may succeed later, the phase and position where it broke,
/// and which attempt it was.
public struct JobError: Sendable, Hashable, Codable {
    /// One of `input_not_found`, `input_unreadable`, `unsupported_input`, `encode_failed`,
    /// `output_write_failed`, `internal`.
    public var code: String
    public var message: String
    public var category: FailureCategory?
    /// True when the same request may succeed later (a missing input, a killed encoder, a full
    /// disk); false when it never will (a corrupt or unsupported input).
    public var retryable: Bool?
    public var phase: FailurePhase?
    /// Where in the input it broke, in seconds, when known.
    public var positionSeconds: Double?
    /// The attempt that failed, from 1.
    public var attempt: Int?

    public init(code: Code, message: String, category: FailureCategory? = nil, retryable: Bool? = nil,
                phase: FailurePhase? = nil, positionSeconds: Double? = nil, attempt: Int? = nil) {
        self.code = code.rawValue
        self.message = message
        self.category = category
        self.retryable = retryable
        self.phase = phase
        self.positionSeconds = positionSeconds
        self.attempt = attempt
    }

    enum CodingKeys: String, CodingKey {
        case code, message, category, retryable, phase, positionSeconds = "position_seconds", attempt
    }

    /// Lenient: an unknown category or phase (a newer server) reads as absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        category = try c.decodeIfPresent(String.self, forKey: .category).flatMap(FailureCategory.init(rawValue:))
        retryable = try c.decodeIfPresent(Bool.self, forKey: .retryable)
        phase = try c.decodeIfPresent(String.self, forKey: .phase).flatMap(FailurePhase.init(rawValue:))
        positionSeconds = try c.decodeIfPresent(Double.self, forKey: .positionSeconds)
        attempt = try c.decodeIfPresent(Int.self, forKey: .attempt)
    }

    /// The failure codes of API.md.
    public enum Code: String, Sendable, CaseIterable {
        case inputNotFound = "input_not_found"
        case inputUnreadable = "input_unreadable"
        case unsupportedInput = "unsupported_input"
        case encodeFailed = "encode_failed"
        case outputWriteFailed = "output_write_failed"
        case `internal`

        /// The category a code implies when the server does not say.
        public var category: FailureCategory {
            switch self {
            case .inputNotFound, .inputUnreadable, .unsupportedInput: .input
            case .encodeFailed: .engine
            case .outputWriteFailed: .output
            case .internal: .internal
            }
        }

        /// Whether a code implies that a retry may help, when the server does not say: nil when the
        /// code alone cannot tell (`encode_failed` is a killed encoder or a bad setting).
        public var retryable: Bool? {
            switch self {
            case .inputNotFound, .outputWriteFailed, .internal: true
            case .inputUnreadable, .unsupportedInput: false
            case .encodeFailed: nil
            }
        }
    }

    /// The category: the server's, else what the code implies.
    public var effectiveCategory: FailureCategory? { category ?? Code(rawValue: code)?.category }

    /// Whether a retry may help: the server's word, else what the code implies; nil when unknown.
    public var effectiveRetryable: Bool? { retryable ?? Code(rawValue: code)?.retryable }
}

/// What kind of thing failed: the input, the request's settings, the encoder, writing the outputs,
/// or the engine itself.
public enum FailureCategory: String, Sendable, Hashable, CaseIterable, Codable {
    case input, configuration, engine, output, `internal`
}

/// Where in the work a job failed.
public enum FailurePhase: String, Sendable, Hashable, CaseIterable, Codable {
    case probe, decode, encode, write
}
