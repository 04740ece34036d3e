import ArgumentParser
import ShellKit

/// `preset NAME SPEC...`: names a list of outputs for `--preset NAME`.
struct PresetCommand: ShellCommand {
    static let about = CommandAbout(name: "preset", group: "Session", summary: "name a list of outputs for --preset",
                                    example: "preset web mp4:h264:1080p hls:h264:1080p,720p,480p/economy")
    @Argument var name: String
    @Argument var specs: [String] = []

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        guard !specs.isEmpty else {
            guard let outputs = context.preset(name) else {
                throw ShellError("preset: no preset \"\(name)\"; define one with: preset \(name) SPEC...", status: 2)
            }
            shell.output.line("\(name): " + outputs.map(OutputSpecParser.format).joined(separator: " "))
            return
        }
        do {
            context.definePreset(name, try specs.map { spec throws(ShellError) in try OutputSpecParser.parse(spec) })
        } catch { throw error.of("preset") }
    }
}
