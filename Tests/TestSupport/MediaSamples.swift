import Foundation

/// Tiny media files made with ffmpeg's lavfi sources, and ffprobe's view of what was written:
/// the real tools, no fixtures checked in.
public enum MediaSamples {
    /// Runs a tool to its end; throws with its standard error when it fails.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String], seconds: Double = 120) async throws -> String {
        let program = try ChildProgram(tool, arguments)
        guard try await program.exit(seconds: seconds) == 0 else {
            throw SampleError("\(tool) \(arguments.joined(separator: " ")) failed: \(program.errors)")
        }
        return program.output
    }

    /// A test pattern with a tone: `size` as 320x240, `seconds` long; `extra` output options.
    public static func clip(_ url: URL, size: String = "320x240", seconds: Double = 1, audio: Bool = true,
                     faststart: Bool = true, extra: [String] = []) async throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var args = ["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=30:duration=\(seconds)"]
        if audio { args += ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:a", "aac"] }
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        if faststart { args += ["-movflags", "+faststart"] }
        try await run("ffmpeg", args + extra + ["-shortest", url.path])
    }

    /// Audio only: no video stream.
    public static func audioOnly(_ url: URL) async throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await run("ffmpeg", ["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", url.path])
    }

    /// Keeps the first `fraction` of a file.
    public static func truncate(_ url: URL, to fraction: Double) throws {
        let data = try Data(contentsOf: url)
        try data.prefix(Int(Double(data.count) * fraction)).write(to: url)
    }

    /// What ffprobe says of a written output (a file or a playlist).
    public struct Probe: Sendable {
        public var codec: String
        public var width: Int
        public var height: Int
        public var duration: Double
    }

    public static func probe(_ url: URL) async throws -> Probe {
        let text = try await run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                       "stream=codec_name,width,height:format=duration", "-of", "json", url.path])
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let stream = (json["streams"] as? [[String: Any]])?.first ?? [:]
        let format = json["format"] as? [String: Any] ?? [:]
        return Probe(codec: stream["codec_name"] as? String ?? "", width: stream["width"] as? Int ?? 0,
                     height: stream["height"] as? Int ?? 0, duration: Double(format["duration"] as? String ?? "") ?? 0)
    }

    /// Whether a process runs (a zombie, dead but not yet reaped by its parent, does not).
    public static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// Processes whose command line mentions `text` (to prove none was left running).
    public static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text) && isRunning(pid) ? pid : nil
        }
    }
}

public struct SampleError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
