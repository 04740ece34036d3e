/// One rendition of an output: codec, height class and quality tier.
public struct VideoVariant: Sendable, Hashable, Codable {
    public var codec: VideoCodec
    public var resolution: Resolution
    /// Defaults to `standard`; the canonical form fills it in, so omitting it and sending `standard`
    /// are the same request.
    public var quality: QualityTier

    public init(codec: VideoCodec, resolution: Resolution, quality: QualityTier = .standard) {
        self.codec = codec
        self.resolution = resolution
        self.quality = quality
    }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: ["codec", "resolution", "quality"])
        codec = try object.require(VideoCodec.self, "codec")
        resolution = try object.require(Resolution.self, "resolution")
        quality = try object.decode(QualityTier.self, "quality") ?? .standard
    }
}

/// One output of a job: an mp4 file (exactly one variant) or an HLS ladder (one or more).
public struct OutputSpec: Sendable, Hashable, Codable {
    public var type: OutputFormat
    public var video: [VideoVariant]

    public init(type: OutputFormat, video: [VideoVariant]) {
        self.type = type
        self.video = video
    }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: ["type", "video"])
        type = try object.require(OutputFormat.self, "type")
        video = try object.require([VideoVariant].self, "video")
    }

    /// The contract's limits on one output; `index` places it in messages.
    func validate(index: Int) throws(ConnectError) {
        let path = "outputs[\(index)]"
        guard (1...8).contains(video.count) else {
            throw .invalidArgument("\(path).video: an output takes 1 to 8 video variants, got \(video.count)")
        }
        if type == .mp4, video.count != 1 {
            throw .invalidArgument("\(path).video: an mp4 output takes exactly one video variant, got \(video.count); use type hls for a ladder")
        }
    }
}
