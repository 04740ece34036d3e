import Foundation
import ShellKit
import TranscodelyAPI

/// Reads an output SPEC as users write it on the command line: `TYPE:CODEC:RES[/QUALITY][,RES[/QUALITY]...]`
/// (`mp4:h264:1080p/standard`, `hls:h264:1080p,720p,480p/economy`), or a JSON object in the API's
/// shape (`{"type":"mp4","video":[...]}`).
public enum OutputSpecParser {
    public static func parse(_ text: String) throws(ShellError) -> OutputSpec {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{") {
            do {
                return try JSONDecoder().decode(OutputSpec.self, from: Data(trimmed.utf8))
            } catch {
                throw ShellError("--output: the JSON is not an output: \(ConnectError(decoding: error).message)", status: 2)
            }
        }
        let fields = trimmed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3 else {
            throw ShellError("--output: \"\(text)\" is not TYPE:CODEC:RES[/QUALITY][,RES...] (as hls:h264:1080p,720p,480p/economy)", status: 2)
        }
        guard let type = OutputFormat(wire: fields[0]) else {
            throw ShellError("--output: type \"\(fields[0])\" is not one of \(OutputFormat.choices)", status: 2)
        }
        guard let codec = VideoCodec(wire: fields[1]) else {
            throw ShellError("--output: codec \"\(fields[1])\" is not one of \(VideoCodec.choices)", status: 2)
        }
        var variants: [VideoVariant] = []
        for rung in fields[2].split(separator: ",", omittingEmptySubsequences: false) {
            let parts = rung.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), let resolution = Resolution(wire: parts[0]) else {
                throw ShellError("--output: resolution \"\(rung)\" is not one of \(Resolution.choices) (optionally /QUALITY)", status: 2)
            }
            var quality = QualityTier.standard
            if parts.count == 2 {
                guard let tier = QualityTier(wire: parts[1]) else {
                    throw ShellError("--output: quality \"\(parts[1])\" is not one of \(QualityTier.choices)", status: 2)
                }
                quality = tier
            }
            variants.append(VideoVariant(codec: codec, resolution: resolution, quality: quality))
        }
        if type == .mp4, variants.count != 1 {
            throw ShellError("--output: an mp4 output takes one resolution; use hls for a ladder", status: 2)
        }
        return OutputSpec(type: type, video: variants)
    }

    /// The SPEC form of an output, for saved scripts.
    public static func format(_ output: OutputSpec) -> String {
        let codec = output.video.first?.codec.rawValue ?? "h264"
        let sameCodec = output.video.allSatisfy { $0.codec.rawValue == codec }
        guard sameCodec else { return JSONWriterText.of(output) }
        let rungs = output.video.map { $0.quality == .standard ? $0.resolution.rawValue : "\($0.resolution.rawValue)/\($0.quality.rawValue)" }
        return "\(output.type.rawValue):\(codec):\(rungs.joined(separator: ","))"
    }
}
