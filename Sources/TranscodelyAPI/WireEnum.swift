/// An enum of the wire: written as its short lowercase name (`h264`, `1080p`), read from that name
/// or from the proto enum spelling (`VIDEO_CODEC_H264`, `RESOLUTION_1080P`), as API.md requires.
public protocol WireEnum: RawRepresentable<String>, CaseIterable, Sendable, Hashable, Codable {
    /// The proto enum's prefix, as `VIDEO_CODEC_`.
    static var protoPrefix: String { get }
    /// What the field is, for error messages: "codec".
    static var wireName: String { get }
}

extension WireEnum {
    /// Reads a value in either spelling; nil when it is neither.
    public init?(wire text: String) {
        if let value = Self(rawValue: text) {
            self = value
            return
        }
        let upper = text.uppercased()
        guard upper.hasPrefix(Self.protoPrefix) else { return nil }
        let short = upper.dropFirst(Self.protoPrefix.count).lowercased()
        guard let value = Self(rawValue: short) else { return nil }
        self = value
    }

    /// The short names, for messages and help: "h264, h265, vp9, av1".
    public static var choices: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(wire: text) else {
            throw WireError(codingPath: decoder.codingPath,
                            "\(Self.wireName) \"\(text)\" is not known; expected one of \(Self.choices)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The container of an output.
public enum OutputFormat: String, WireEnum {
    case mp4, hls
    public static let protoPrefix = "OUTPUT_FORMAT_"
    public static let wireName = "output type"
}

/// A video codec.
public enum VideoCodec: String, WireEnum {
    case h264, h265, vp9, av1
    public static let protoPrefix = "VIDEO_CODEC_"
    public static let wireName = "video codec"
}

/// A rendition's height class.
public enum Resolution: String, WireEnum, Comparable {
    case r2160p = "2160p", r1440p = "1440p", r1080p = "1080p", r720p = "720p", r480p = "480p", r360p = "360p"
    public static let protoPrefix = "RESOLUTION_"
    public static let wireName = "resolution"

    /// The frame height in pixels.
    public var height: Int {
        switch self {
        case .r2160p: 2160
        case .r1440p: 1440
        case .r1080p: 1080
        case .r720p: 720
        case .r480p: 480
        case .r360p: 360
        }
    }

    public static func < (lhs: Resolution, rhs: Resolution) -> Bool { lhs.height < rhs.height }
}

/// The quality tier of a rendition: how much time and bits the encoder spends.
public enum QualityTier: String, WireEnum {
    case economy, standard, premium
    public static let protoPrefix = "QUALITY_TIER_"
    public static let wireName = "quality tier"
}

/// How soon a job starts: higher first; economy is for bulk.
public enum Priority: String, WireEnum, Comparable {
    case economy, standard, premium
    public static let protoPrefix = "PRIORITY_"
    public static let wireName = "priority"

    /// The order in which the scheduler starts jobs: a larger rank starts first.
    public var rank: Int {
        switch self {
        case .economy: 0
        case .standard: 1
        case .premium: 2
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}

/// Where a job is in its life. `completed`, `failed` and `canceled` are terminal: they never change.
public enum JobStatus: String, WireEnum {
    case pending, probing, processing, completed, failed, canceled
    public static let protoPrefix = "JOB_STATUS_"
    public static let wireName = "job status"

    /// Whether the job has ended for good.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .canceled: true
        case .pending, .probing, .processing: false
        }
    }
}
