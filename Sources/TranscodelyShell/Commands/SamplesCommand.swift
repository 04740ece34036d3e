import ArgumentParser
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `samples [COUNT]`: writes short test clips (ffmpeg's lavfi sources, with a tone) into a local
/// origin of this machine, so a fresh machine has something to encode. Works with a local engine
/// (an origin whose folder is on this machine), not with the hosted service.
struct SamplesCommand: ShellCommand {
    static let about = CommandAbout(name: "samples", group: "Server", summary: "write short test clips into a local origin",
                                    example: "samples 4 --seconds 4 --prefix library/")
    @Argument(help: "How many clips.") var count: Int = 3
    @Option(help: "Seconds per clip.") var seconds: Double = 4
    @Option(help: "Frame size.") var size: String = "1280x720"
    @Option(help: "Folder inside the origin, as library/.") var prefix: String = "samples/"
    @Option(help: "Name of the first clip (default episode-01; later ones count up).") var name: String?
    @Option(help: "The origin (default: the input origin).") var origin: String?

    func validate() throws {
        guard (1...100).contains(count) else { throw ValidationError("COUNT must be 1...100, got \(count)") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be above 0 and at most 600, got \(seconds)") }
        guard size.range(of: #"^\d{2,4}x\d{2,4}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--size takes WIDTHxHEIGHT (as 1280x720), got \(size)")
        }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        let id = origin ?? context.inputOrigin
        let found: Origin
        do { found = try await context.origins.get(id: id) } catch { throw error.shellError("samples") }
        var isDirectory: ObjCBool = false
        guard found.kind == "local", FileManager.default.fileExists(atPath: found.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ShellError("samples: origin \(id) is not a folder on this machine; samples works with a local engine")
        }
        let folder = URL(fileURLWithPath: found.path).appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sources = ["testsrc2", "smptehdbars", "rgbtestsrc", "testsrc"]
        let first = name.flatMap { Int($0.filter(\.isNumber)) } ?? 1
        let stem = name.map { String($0.prefix { !$0.isNumber }) } ?? "episode-"
        for index in 0..<count {
            let file = String(format: "%@%02d.mp4", stem, first + index)
            let source = sources[index % sources.count]
            let args = ["-hide_banner", "-v", "error", "-y",
                        "-f", "lavfi", "-i", "\(source)=size=\(size):rate=30:duration=\(seconds)",
                        "-f", "lavfi", "-i", "sine=frequency=\(330 + 110 * index):duration=\(seconds)",
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                        "-movflags", "+faststart", folder.appendingPathComponent(file).path]
            let status = try await Self.ffmpeg(args)
            guard status == 0 else {
                throw ShellError("samples: ffmpeg could not write \(prefix)\(file) (exit \(status)); is ffmpeg installed? (apt-get install ffmpeg)")
            }
            shell.output.line("\(prefix)\(file)  \(size), \(String(format: "%g", seconds)) s, \(source)")
        }
    }

    /// Runs ffmpeg without holding a thread while it works.
    static func ffmpeg(_ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
