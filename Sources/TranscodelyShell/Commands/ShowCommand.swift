import ArgumentParser
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `show JOB`: one job in full, and when it was retried (or is a retry) the chain of its attempts.
struct ShowCommand: ShellCommand {
    static let about = CommandAbout(name: "show", group: "Jobs", summary: "one job in full", example: "show $last --json")
    @Argument var job: String
    @Flag(help: "The job as the API returns it.") var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        let found: Job
        do { found = try await context.jobs.get(id: job) } catch { throw error.shellError("show") }
        try await context.session.update(found)
        if json { shell.output.line(JSONWriterText.of(found)); return }
        var lines = ["\(found.id)  \(found.status.rawValue)  \(String(format: "%.1f", found.progress))%",
                     "input     \(found.inputOriginID):\(found.inputPath)",
                     "output    \(found.outputOriginID)",
                     "key       \(found.idempotencyKey ?? "-")",
                     "priority  \(found.priority.rawValue)",
                     "created   \(found.createdAt)"]
        if !found.metadata.isEmpty {
            lines.append("metadata  " + found.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        for output in found.outputs { lines.append("asked     \(OutputSpecParser.format(output))") }
        if let input = found.input {
            lines.append("source    \(input.width)x\(input.height) \(input.videoCodec) \(String(format: "%.2f", input.frameRate)) fps, \(String(format: "%.1f", input.durationSeconds)) s\(input.hasAudio ? ", audio" : "")")
        }
        for result in found.results ?? [] {
            lines.append("result    \(result.path)  \(result.sizeBytes) bytes")
            for variant in result.variants {
                lines.append("            \(variant.resolution.rawValue)  \(variant.path)  \(variant.bitrateKbps) kb/s" + (variant.note.map { "  (\($0))" } ?? ""))
            }
        }
        if let error = found.error { lines.append("error     \(error.code): \(error.message)") }
        // The item's attempts: original → KEY~retry-1 → …
        lines += RetryChainText.lines(await context.session.chain(of: found.id), current: found)
        shell.output.line(lines.joined(separator: "\n"))
    }
}

import Foundation
