import ArgumentParser
import BatchKit
import ShellKit
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// `retry-failed [--batch B] [--creates] [--jobs]`: sends failed creates again under their own
/// key, and resubmits failed jobs under `KEY~retry-N`, recorded as retries of the originals.
struct RetryFailedCommand: ShellCommand {
    static let about = CommandAbout(name: "retry-failed", group: "Jobs", summary: "send failed creates again and resubmit failed jobs",
                                    example: "retry-failed --batch nightly")
    @Option var batch: String?
    @Flag(help: "Only creates that failed.") var creates = false
    @Flag(help: "Only jobs that failed.") var jobs = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        let both = !creates && !jobs
        var items: [BatchItem] = []
        if creates || both {
            for failure in await context.session.failures where batch == nil || failure.batch == batch {
                items.append(BatchItem(index: items.count, request: failure.request))
            }
        }
        if jobs || both {
            for entry in await context.session.jobs(batch: batch, status: .failed) {
                let previous = await context.session.retries(of: entry.job.id)
                // A job whose retry is already on record is not resubmitted again by a rerun.
                if previous > 0 { continue }
                do {
                    items.append(try RetryFailed.resubmission(of: entry.job, request: entry.request, previousRetries: previous, index: items.count))
                } catch { throw ShellError("retry-failed: \(error.message)") }
            }
        }
        guard !items.isEmpty else { shell.output.line("nothing failed" + (batch.map { " in batch \($0)" } ?? "")); return }
        let name = batch ?? "retry"
        let pacer = context.rateLimit.pacer(concurrency: Pacer.Settings.standard.concurrency, ceiling: .none, clock: context.clock)
        let attached = context.rateLimit.attach(pacer)
        defer { context.rateLimit.detach(attached) }
        let report = await BatchRunner(client: context.jobs, pacer: pacer, clock: context.clock)
            .run(items, record: BatchCommand.recorder(name, context))
        try await BatchCommand.record(report, batch: name, in: context)
        BatchCommand.summarize(report, name: name, json: false, shell: shell)
        if report.counts.failed > 0 { throw ShellError("retry-failed: \(report.counts.failed) create(s) failed again") }
    }
}
