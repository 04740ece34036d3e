import ArgumentParser
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `save FILE`: the session as a script that replays to the same jobs: `set` lines as typed (but
/// never one holding an API key or webhook secret), then
/// one `submit` per job with everything it asked for and its key written out literally (a key
/// made from `{date}` today is the same key tomorrow).
struct SaveCommand: ShellCommand {
    static let about = CommandAbout(name: "save", group: "Session", summary: "write the session as a replayable script",
                                    example: "save nightly.tcly")
    @Argument var file: String

    mutating func run(in shell: Shell) async throws {
        let context = try shell.transcodely
        var lines = ["# tcly session saved \(Date()); `tcly run \((file as NSString).lastPathComponent)` hits the same jobs again"]
        // A line holding something shaped like a secret is left out, saying so.
        for line in await shell.log where line.hasPrefix("set ") || line.hasPrefix("preset ") {
            if HistoryRedaction.redact(line) == line {
                lines.append(line)
            } else {
                let name = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                lines.append("# set \(name): left out, its value looks like a secret; set it again before running this script")
            }
        }
        for entry in await context.session.jobs() {
            lines.append(Self.submitLine(entry))
        }
        do {
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw ShellError("save: cannot write \(file): \(error.localizedDescription)")
        }
        shell.output.line("saved \(lines.count - 1) line(s) to \(file)")
    }

    static func submitLine(_ entry: ShellSession.Entry) -> String {
        let request = entry.request
        var words = ["submit", quote(request.inputPath), "--input-origin", quote(request.inputOriginID),
                     "--output-origin", quote(request.outputOriginID)]
        for output in request.outputs { words += ["--output", quote(OutputSpecParser.format(output))] }
        if request.priority != .standard { words += ["--priority", request.priority.rawValue] }
        for (key, value) in request.metadata.sorted(by: { $0.key < $1.key }) where !(key == "batch_id" && value == entry.batch) {
            words += ["--meta", quote("\(key)=\(value)")]
        }
        if let batch = entry.batch { words += ["--batch", quote(batch)] }
        if let key = request.idempotencyKey { words += ["--key", quote(key)] }
        return words.joined(separator: " ")
    }

    /// A word the shell reads back unchanged.
    static func quote(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:,=@+%".contains($0) }
        if safe { return word }
        if word.hasPrefix("'") && word.hasSuffix("'") && word.count > 1 { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
