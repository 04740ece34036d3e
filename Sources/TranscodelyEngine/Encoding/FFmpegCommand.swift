import Foundation
import TranscodelyAPI

/// The one ffmpeg command of a job: the input decoded once, split and scaled into every rendition
/// of every output (filter graph), each output muxed from its renditions — an mp4 file, or an HLS
/// ladder with a master playlist, aligned keyframes every 2 s and no scene-cut keyframes.
struct FFmpegCommand {
    var arguments: [String]

    /// Renditions per output are written under `folder/<output folder>/`.
    init(input: URL, source: MediaInfo, plan: RenditionPlan, folder: URL, threads: Int) {
        let gop = max(1, Int((source.frameRate * 2).rounded()))
        var args = ["-hide_banner", "-nostdin", "-v", "warning", "-nostats", "-progress", "pipe:1", "-y"]
        if threads > 0 { args += ["-threads", String(threads)] }
        args += ["-i", input.path]
        let renditions = plan.renditions
        var graph: [String] = []
        if renditions.count == 1 {
            graph.append("[0:v]\(plan.scale(renditions[0])),format=yuv420p[r0]")
        } else {
            graph.append("[0:v]split=\(renditions.count)" + renditions.map { "[s\($0.index)]" }.joined())
            for rendition in renditions {
                graph.append("[s\(rendition.index)]\(plan.scale(rendition)),format=yuv420p[r\(rendition.index)]")
            }
        }
        args += ["-filter_complex", graph.joined(separator: ";")]
        for output in plan.outputs {
            let directory = folder.appendingPathComponent(output.folder)
            for (position, rendition) in output.renditions.enumerated() {
                args += ["-map", "[r\(rendition.index)]"]
                if source.hasAudio { args += ["-map", "0:a:0"] }
                let settings = QualityTable.settings(codec: rendition.codec, quality: rendition.quality,
                                                     height: rendition.shortSide, gop: gop)
                args += ["-c:v:\(position)", settings.encoder]
                for (name, value) in settings.options { args += ["-\(name):v:\(position)", value] }
                if let cap = settings.maxKbps {
                    args += ["-maxrate:v:\(position)", "\(cap)k", "-bufsize:v:\(position)", "\(cap * 2)k"]
                }
            }
            if source.hasAudio { args += ["-c:a", "aac", "-b:a", "128k", "-ac", "2"] }
            switch output.spec.type {
            case .mp4:
                args += ["-movflags", "+faststart", directory.appendingPathComponent("video.mp4").path]
            case .hls:
                let h264Only = output.renditions.allSatisfy { $0.codec == .h264 }
                let streams = output.renditions.enumerated().map { position, rendition in
                    "v:\(position)" + (source.hasAudio ? ",a:\(position)" : "") + ",name:\(rendition.name)"
                }
                args += ["-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
                         "-hls_segment_type", h264Only ? "mpegts" : "fmp4",
                         "-master_pl_name", "master.m3u8", "-var_stream_map", streams.joined(separator: " "),
                         "-hls_segment_filename", directory.appendingPathComponent("%v/segment_%05d.\(h264Only ? "ts" : "m4s")").path]
                if !h264Only { args += ["-hls_fmp4_init_filename", "init.mp4"] }
                args.append(directory.appendingPathComponent("%v/index.m3u8").path)
            }
        }
        arguments = args
    }
}
