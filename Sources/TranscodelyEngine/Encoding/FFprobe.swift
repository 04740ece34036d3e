import Foundation
import TranscodelyAPI

/// Reads what an input is with `ffprobe`, and turns every way an input can be unusable into the
/// job error codes of the API: unreadable (empty, not media, truncated — with where its media
/// ends), unsupported (no video).
enum FFprobe {
    /// ffprobe's JSON, the parts the engine reads.
    struct Report: Decodable {
        struct Stream: Decodable {
            var codec_type: String?
            var codec_name: String?
            var width: Int?
            var height: Int?
            var r_frame_rate: String?
            var avg_frame_rate: String?
            var duration: String?
            var bit_rate: String?
            var tags: [String: String]?
            var side_data_list: [SideData]?
        }

        struct SideData: Decodable {
            var rotation: Double?
        }

        struct Format: Decodable {
            var duration: String?
            var bit_rate: String?
            var size: String?
        }

        struct Failure: Decodable {
            var string: String?
        }

        var streams: [Stream]?
        var format: Format?
        var error: Failure?
    }

    /// Probes `input`; `name` is how messages call it (the path relative to its origin). ffprobe's
    /// own words go to `log`.
    static func probe(_ input: URL, name: String, log: AttemptLog) async throws -> MediaInfo {
        let size = (try? FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0
        if size == 0 {
            log.append("engine: \(name) is 0 bytes long; ffprobe was not run")
            throw JobFailure(.inputUnreadable, "\(name) is empty (0 bytes)", phase: .probe)
        }
        let arguments = ["-v", "error", "-print_format", "json", "-show_error", "-show_format", "-show_streams", input.path]
        log.command("ffprobe", arguments)
        let (exit, text) = try await ChildProcess.output("ffprobe", arguments, onErrorLine: { log.append($0) })
        let report = try? JSONDecoder().decode(Report.self, from: Data(text.utf8))
        guard exit.status == 0, let report, report.error == nil else {
            let reason = report?.error?.string ?? exit.errorTail.split(separator: "\n").last.map(String.init) ?? "unknown error"
            if let reason = report?.error?.string { log.append("ffprobe: \(reason)") }
            throw JobFailure(.inputUnreadable, "\(name) is not a readable media file (ffprobe: \(reason.replacingOccurrences(of: input.path, with: name)))",
                             phase: .probe)
        }
        let info: MediaInfo
        do { info = try Self.info(report, name: name) } catch {
            // ffprobe read the file and found nothing to encode: say what it did find.
            let found = (report.streams ?? []).map { "\($0.codec_type ?? "unknown") (\($0.codec_name ?? "unknown codec"))" }
            log.append("ffprobe: \(found.count) stream(s): \(found.joined(separator: ", ").ifEmpty("none")); duration \(report.format?.duration ?? "unknown")")
            throw error
        }
        // A truncated file whose index (moov) comes first still probes with its full duration; its
        // streams then claim more bytes than the file holds. Reading its packets (no decoding)
        // finds where the media really ends.
        let streams = report.streams ?? []
        let claimed = streams.compactMap { Double($0.bit_rate ?? "") }.reduce(0, +) * info.durationSeconds / 8
        if claimed > 0, Double(size) < claimed * 0.85 {
            let percent = Int(Double(size) / claimed * 100)
            let end = try await lastPacketTime(input, log: log)
            let position = end.map { String(format: " ending at %.1f s of %.1f s", $0, info.durationSeconds) } ?? ""
            throw JobFailure(.inputUnreadable, "\(name) is truncated: it holds \(percent)% of the media its index describes\(position)",
                             phase: .decode, positionSeconds: end, input: info)
        }
        return info
    }

    /// The media info of a report, or the failure it shows.
    static func info(_ report: Report, name: String) throws -> MediaInfo {
        let streams = report.streams ?? []
        guard let video = streams.first(where: { $0.codec_type == "video" && ($0.width ?? 0) > 0 }) else {
            throw JobFailure(.unsupportedInput, "\(name) has no video stream (found: \(streams.compactMap(\.codec_type).joined(separator: ", ").ifEmpty("nothing")))",
                             phase: .probe)
        }
        let duration = Double(report.format?.duration ?? "") ?? Double(video.duration ?? "") ?? 0
        guard duration > 0 else { throw JobFailure(.inputUnreadable, "\(name) has no duration; it may be truncated", phase: .probe) }
        var width = video.width ?? 0, height = video.height ?? 0
        let rotation = video.side_data_list?.compactMap(\.rotation).first ?? Double(video.tags?["rotate"] ?? "") ?? 0
        if Int(abs(rotation.rounded())) % 180 == 90 { swap(&width, &height) }
        return MediaInfo(durationSeconds: duration, width: width, height: height,
                         videoCodec: video.codec_name ?? "unknown",
                         frameRate: rate(video.avg_frame_rate) ?? rate(video.r_frame_rate) ?? 30,
                         hasAudio: streams.contains { $0.codec_type == "audio" })
    }

    /// The presentation time of the last video packet ffprobe can read from `input` (demuxing
    /// only): where a truncated file's media ends. Its complaints ("partial file") go to `log`.
    static func lastPacketTime(_ input: URL, log: AttemptLog) async throws -> Double? {
        let arguments = ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", input.path]
        log.command("ffprobe", arguments)
        let last = Locked<Double?>(nil)
        let child = ChildProcess("ffprobe", arguments)
        _ = try await child.run(onLine: { line in
            if let time = Double(line.trimmingCharacters(in: .whitespaces)) { last.withLock { $0 = max($0 ?? 0, time) } }
        }, onErrorLine: { log.append($0) })
        return last.value
    }

    /// `30000/1001` → 29.97; nil for `0/0`.
    static func rate(_ text: String?) -> Double? {
        guard let parts = text?.split(separator: "/"), parts.count == 2,
              let num = Double(parts[0]), let den = Double(parts[1]), num > 0, den > 0 else { return nil }
        return num / den
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
