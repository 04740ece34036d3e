import TranscodelyAPI

/// What one job's encode produces: every output, every rendition at the size it will really have.
///
/// Never upscales: a rung above the source is made at the source's size, and rungs of one output
/// that then come out identical are made once (the results say so). A resolution names the shorter
/// side, so a portrait 1080×1920 source is "1080p".
struct RenditionPlan {
    /// One encoded stream.
    struct Rendition {
        /// Index among all renditions of the job (the filter graph's output `[r<index>]`).
        var index: Int
        var codec: VideoCodec
        var quality: QualityTier
        /// The shorter side after scaling (even).
        var shortSide: Int
        /// A name unique in its output (`720p`, or `720p-economy` when two tiers share a height).
        var name: String
    }

    /// One output and where each requested variant ended up.
    struct Output {
        var index: Int
        var spec: OutputSpec
        /// The renditions this output encodes, in order.
        var renditions: [Rendition]
        /// For each requested variant: the rendition that serves it, and a note when it is not
        /// what was asked.
        var served: [(rendition: Rendition, note: String?)]

        /// The output's folder, relative to the job folder: `0-hls`.
        var folder: String { "\(index)-\(spec.type.rawValue)" }
    }

    var outputs: [Output]
    var portrait: Bool

    var renditions: [Rendition] { outputs.flatMap(\.renditions) }

    init(job: Job, source: MediaInfo) {
        portrait = source.height > source.width
        let sourceShort = min(source.width, source.height) / 2 * 2
        var next = 0
        outputs = job.outputs.enumerated().map { index, spec in
            var renditions: [Rendition] = []
            var served: [(Rendition, String?)] = []
            for variant in spec.video {
                let asked = variant.resolution.height
                let short = min(asked, sourceShort)
                var note: String? = short < asked
                    ? "source is \(sourceShort) pixels on its short side; made at \(short)p, never upscaled" : nil
                if let same = renditions.first(where: { $0.codec == variant.codec && $0.quality == variant.quality && $0.shortSide == short }) {
                    note = "same as the \(same.name) rendition: the source is \(sourceShort) pixels on its short side"
                    served.append((same, note))
                    continue
                }
                var name = "\(short)p"
                if renditions.contains(where: { $0.name == name }) { name += "-\(variant.codec.rawValue)-\(variant.quality.rawValue)" }
                let rendition = Rendition(index: next, codec: variant.codec, quality: variant.quality, shortSide: short, name: name)
                next += 1
                renditions.append(rendition)
                served.append((rendition, note))
            }
            return Output(index: index, spec: spec, renditions: renditions, served: served)
        }
    }

    /// The scale filter for a rendition, keeping the aspect ratio with an even other side.
    func scale(_ rendition: Rendition) -> String {
        portrait ? "scale=\(rendition.shortSide):-2" : "scale=-2:\(rendition.shortSide)"
    }
}
