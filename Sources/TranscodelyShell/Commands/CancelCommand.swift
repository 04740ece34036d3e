import ArgumentParser
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `cancel JOB|--batch B`.
struct CancelCommand: ShellCommand {
    static let about = CommandAbout(name: "cancel", group: "Jobs", summary: "cancel a job, or every unfinished job of a batch",
                                    example: "cancel --batch nightly")
    @Argument var job: String?
    @Option var batch: String?

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        var ids: [String] = job.map { [$0] } ?? []
        if let batch {
            ids += await context.session.jobs(batch: batch).filter { !$0.job.status.isTerminal }.map(\.job.id)
        }
        guard !ids.isEmpty else { throw ShellError("cancel: nothing to cancel; name a job, or a --batch with unfinished jobs", status: 2) }
        var failed = 0
        for id in ids {
            let job: Job
            do throws(ClientError) {
                job = try await context.jobs.cancel(id: id)
            } catch {
                try error.stopIfCancelled()
                failed += 1
                shell.output.error("cancel: \(id): \(error.code.rawValue): \(error.message)")
                continue
            }
            try await context.session.update(job)
            shell.output.line("\(id)  canceled")
        }
        if failed > 0 { throw ShellError("cancel: \(failed) of \(ids.count) could not be cancelled") }
    }
}
