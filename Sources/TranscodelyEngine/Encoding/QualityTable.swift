import TranscodelyAPI

/// How each codec spends each quality tier: the ffmpeg encoder, its speed preset and constant-quality
/// level, and a bitrate cap. One table, mirrored in docs/encoding.md.
///
/// Starting points (issue 3): x264 veryfast/CRF 26, medium/23, slow/20, and the Apple HLS authoring
/// spec's H.264 bitrates (1080p 6000–7800, 720p 3000–4500, 480p 1100–2000, 360p 365–730 kb/s) as
/// the standard tier's cap; the other codecs reach the same look with fewer bits.
enum QualityTable {
    /// One rendition's encoder settings.
    struct Settings: Equatable {
        /// The ffmpeg encoder (`libx264`).
        var encoder: String
        /// Options written with this rendition's stream specifier (`-preset:v:0 medium`).
        var options: [(String, String)]
        /// The bitrate cap in kb/s, nil for none.
        var maxKbps: Int?

        static func == (a: Settings, b: Settings) -> Bool {
            a.encoder == b.encoder && a.maxKbps == b.maxKbps && a.options.elementsEqual(b.options, by: ==)
        }
    }

    /// The ffmpeg encoder each codec needs.
    static func encoder(for codec: VideoCodec) -> String {
        switch codec {
        case .h264: "libx264"
        case .h265: "libx265"
        case .vp9: "libvpx-vp9"
        case .av1: "libsvtav1"
        }
    }

    /// The H.264 standard-tier cap for a height (Apple HLS authoring spec, upper end).
    static func h264StandardKbps(height: Int) -> Int {
        switch height {
        case 1800...: 16000
        case 1300...: 10000
        case 900...: 7800
        case 600...: 4500
        case 420...: 2000
        default: 730
        }
    }

    static func settings(codec: VideoCodec, quality: QualityTier, height: Int, gop: Int) -> Settings {
        let tierFactor = switch quality {
        case .economy: 0.6
        case .standard: 1.0
        case .premium: 1.5
        }
        let codecFactor = switch codec {
        case .h264: 1.0
        case .h265, .vp9: 0.65
        case .av1: 0.55
        }
        let cap = Int(Double(h264StandardKbps(height: height)) * tierFactor * codecFactor)
        let g = String(gop)
        switch codec {
        case .h264:
            let (preset, crf) = switch quality {
            case .economy: ("veryfast", "26")
            case .standard: ("medium", "23")
            case .premium: ("slow", "20")
            }
            return Settings(encoder: "libx264", options: [
                ("preset", preset), ("crf", crf), ("profile", "high"),
                ("g", g), ("keyint_min", g), ("sc_threshold", "0"),
            ], maxKbps: cap)
        case .h265:
            let (preset, crf) = switch quality {
            case .economy: ("veryfast", "30")
            case .standard: ("fast", "28")
            case .premium: ("medium", "25")
            }
            return Settings(encoder: "libx265", options: [
                ("preset", preset), ("crf", crf), ("tag", "hvc1"),
                ("x265-params", "keyint=\(g):min-keyint=\(g):scenecut=0:log-level=error"),
            ], maxKbps: cap)
        case .vp9:
            let (speed, crf) = switch quality {
            case .economy: ("5", "38")
            case .standard: ("4", "33")
            case .premium: ("2", "30")
            }
            // libvpx takes its cap as the target bitrate with a CRF (constrained quality), and
            // refuses -maxrate without one.
            return Settings(encoder: "libvpx-vp9", options: [
                ("crf", crf), ("b", "\(cap)k"), ("deadline", "good"), ("cpu-used", speed), ("row-mt", "1"), ("g", g),
            ], maxKbps: nil)
        case .av1:
            let (preset, crf) = switch quality {
            case .economy: ("10", "40")
            case .standard: ("8", "35")
            case .premium: ("6", "30")
            }
            return Settings(encoder: "libsvtav1", options: [("preset", preset), ("crf", crf), ("g", g)], maxKbps: nil)
        }
    }
}
