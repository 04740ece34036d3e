import ArgumentParser
import BatchKit
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `submit PATH`: creates one job, prints its id, records it in the session (`$last`).
struct SubmitCommand: ShellCommand {
    static let about = CommandAbout(
        name: "submit", group: "Jobs", summary: "create one job and print its id",
        example: "submit uploads/episode-01.mp4 --output hls:h264:1080p,720p,480p/economy --meta content_id=ep1")

    @Argument(help: "The input, relative to the input origin.") var path: String
    @OptionGroup var options: JobRequestOptions
    @Option(help: "The idempotency key (default: derived from the request, so the same request is the same job).") var key: String?
    @Option(help: "Record it as part of this batch (what save writes for batches).") var batch: String?
    @Flag(help: "Print the job as JSON.") var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        var request = try options.request(path: path, context, command: "submit")
        if let batch { request.metadata["batch_id"] = request.metadata["batch_id"] ?? batch }
        request.idempotencyKey = key ?? KeyTemplate.derivedKey(for: request)
        do { try request.validate() } catch { throw ShellError("submit: \(error.message)", status: 2) }
        let result: CreateResult
        do { result = try await context.jobs.create(request) } catch { throw error.shellError("submit", derivedKey: key == nil) }
        try await context.session.record(result.job, request: request, batch: batch)
        await shell.set("last", result.job.id)
        if json {
            shell.output.line(JSONWriterText.of(result.job))
        } else {
            shell.output.line(result.job.id + (result.replayed ? "  (already existed)" : ""))
        }
    }
}
