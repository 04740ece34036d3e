import ArgumentParser
import BatchKit
import ShellKit
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// `retry-failed [JOB|--batch B] [--creates] [--jobs] [--all] [--output SPEC…|--preset P] [--priority P]`:
/// sends failed creates again under their own key, and resubmits the failed jobs a retry can help
/// under a derived key (`KEY~retry-N`, or `KEY~retry-N+DIGEST` for a changed request; see
/// `RetryFailed`), recorded as retries of the originals.
///
/// By default it skips failures that say a retry cannot help (a corrupt or unsupported input) and
/// jobs whose missing input is still missing (one `ListFiles` per folder), and says which and why;
/// `--all` sends every one, unchecked.
struct RetryFailedCommand: ShellCommand {
    static let about = CommandAbout(name: "retry-failed", group: "Jobs",
                                    summary: "send failed creates again and resubmit the failed jobs a retry can help",
                                    example: "retry-failed --batch nightly --priority premium")
    @Argument(help: "One failed job (its newest attempt is retried); default: every failure of the session or of --batch.") var job: String?
    @Option(help: "Only this batch's failures.") var batch: String?
    @Flag(help: "Only creates that failed.") var creates = false
    @Flag(help: "Only jobs that failed.") var jobs = false
    @Flag(help: "Also the failures a retry cannot help, and missing inputs without checking them.") var all = false
    @Option(help: "Resubmit with this output instead: TYPE:CODEC:RES[/QUALITY][,RES...] (repeatable).") var output: [String] = []
    @Option(help: "Resubmit with a preset's outputs instead (see preset).") var preset: String?
    @Option(help: "Resubmit with this priority.") var priority: Priority?

    private var changes: Bool { !output.isEmpty || preset != nil || priority != nil }

    func validate() throws {
        if job != nil, batch != nil { throw ValidationError("give a JOB or --batch B, not both") }
        if changes, job == nil, batch == nil {
            throw ValidationError("--output, --preset and --priority change the jobs of one JOB or --batch B; name one")
        }
        if changes, creates {
            throw ValidationError("--output, --preset and --priority change failed jobs; failed creates go again unchanged (retry-failed --creates)")
        }
        if job != nil, creates { throw ValidationError("a JOB is a job, not a failed create; leave out --creates") }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        let both = !creates && !jobs
        var items: [BatchItem] = []
        /// The batch each item is recorded in (the original's), by item index.
        var batches: [Int: String] = [:]
        if (creates || both) && job == nil && !changes {
            for failure in await context.session.failures where batch == nil || failure.batch == batch {
                batches[items.count] = failure.batch
                items.append(BatchItem(index: items.count, request: failure.request))
            }
        }
        var selection = RetrySelection()
        if jobs || both || job != nil {
            let failed = try await failedJobs(context)
            let changed = try changedRequests(failed, context)
            selection = try await RetrySelection.choose(failed, changed: changed.contains { $0 != nil }, everything: all,
                                                    origins: context.origins)
            let sent = Set(selection.send.map(\.job.id))
            for (entry, change) in zip(failed, changed) where sent.contains(entry.job.id) {
                do {
                    batches[items.count] = entry.batch
                    items.append(try RetryFailed.resubmission(of: entry.job, request: entry.request, changed: change, index: items.count))
                } catch { throw ShellError("retry-failed: \(entry.job.id): \(error.message)") }
            }
        }
        let notes = selection.notes
        guard !items.isEmpty else {
            if notes.isEmpty {
                shell.output.line("nothing failed" + (batch.map { " in batch \($0)" } ?? ""))
            } else {
                shell.output.line((["nothing to send"] + notes).joined(separator: "\n"))
            }
            return
        }
        let named = Set(batches.values)
        let name = batch ?? (named.count == 1 && batches.count == items.count ? named.first! : "retry")
        let pacer = context.rateLimit.pacer(concurrency: Pacer.Settings.standard.concurrency, ceiling: .none, clock: context.clock)
        let attached = context.rateLimit.attach(pacer)
        defer { context.rateLimit.detach(attached) }
        let report = await BatchRunner(client: context.jobs, pacer: pacer, clock: context.clock)
            .run(items, record: Self.recorder(batches, context))
        try await Self.record(report, batches: batches, in: context)
        if let last = report.outcomes.last(where: { $0.job != nil })?.job { await shell.set("last", last.id) }
        BatchCommand.summarize(report, name: name, json: false, shell: shell)
        for line in notes { shell.output.line(line) }
        if report.counts.failed > 0 { throw ShellError("retry-failed: \(report.counts.failed) create(s) failed again; retry-failed sends them again") }
    }

    /// The failed jobs to consider, as the server has them now: the named job's newest attempt, or
    /// the newest attempt of each item of the session (or of `--batch`) that failed, after one
    /// `List(updated_since)` (and one per further page) to refresh what the session knows.
    private func failedJobs(_ context: TranscodelyContext) async throws -> [ShellSession.Entry] {
        let session = context.session
        if let job {
            var found: Job
            do { found = try await context.jobs.get(id: job) } catch { throw error.shellError("retry-failed") }
            try await session.update(found)
            if let newest = await session.newest(of: found.id), newest.job.id != found.id {
                do { found = try await context.jobs.get(id: newest.job.id) } catch { throw error.shellError("retry-failed") }
                try await session.update(found)
                guard found.status == .failed else {
                    throw ShellError("retry-failed: \(job) was retried already: its newest attempt \(found.id) (\(found.idempotencyKey ?? "no key")) is \(found.status.rawValue); show \(found.id) follows it")
                }
            }
            guard found.status == .failed else {
                throw ShellError("retry-failed: \(found.id) is \(found.status.rawValue), not failed; only failed jobs are resubmitted")
            }
            let known = await session.entry(id: found.id)
            return [ShellSession.Entry(job: found, request: known?.request ?? Self.request(of: found), batch: known?.batch,
                                       retryOf: known?.retryOf)]
        }
        let entries = await session.jobs(batch: batch)
        if let batch, entries.isEmpty, await session.batches[batch] == nil {
            throw ShellError("retry-failed: no batch \"\(batch)\" in this session (jobs lists them)", status: 2)
        }
        let changed = try await StatusCommand.refresh(entries, context, command: "retry-failed")
        let listed = Dictionary(changed.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        // A job a retry replaced is not resubmitted again: its retry is, if it failed. The job as
        // listed, whole: a session loaded from a snapshot keeps only an error's code and message.
        return await session.current(batch: batch).compactMap { entry in
            var entry = entry
            if let job = listed[entry.job.id] { entry.job = job }
            return entry.job.status == .failed ? entry : nil
        }
    }

    /// For each failed job, the request a change makes of it (nil: no change asked, or one that
    /// changes nothing).
    private func changedRequests(_ failed: [ShellSession.Entry], _ context: TranscodelyContext) throws(ShellError) -> [CreateJobRequest?] {
        guard changes else { return failed.map { _ in nil } }
        var outputs: [OutputSpec]?
        if !output.isEmpty || preset != nil {
            do { outputs = try context.outputs(specs: output, preset: preset) } catch { throw error.of("retry-failed") }
        }
        return failed.map { entry in
            var request = entry.request
            if let outputs { request.outputs = outputs }
            if let priority { request.priority = priority }
            var before = entry.request
            before.idempotencyKey = nil
            var after = request
            after.idempotencyKey = nil
            return before.canonicalForm == after.canonicalForm ? nil : request
        }
    }

    /// The request that made a job the session does not know (found with `ls`, say).
    static func request(of job: Job) -> CreateJobRequest {
        CreateJobRequest(inputOriginID: job.inputOriginID, inputPath: job.inputPath, outputOriginID: job.outputOriginID,
                         idempotencyKey: job.idempotencyKey, priority: job.priority, metadata: job.metadata, outputs: job.outputs)
    }

    /// Journals each outcome the moment it is known, in the batch of the item it retries.
    static func recorder(_ batches: [Int: String], _ context: TranscodelyContext) -> @Sendable (BatchItem, ItemOutcome) async -> Void {
        BatchCommand.recorder(batchOf: { batches[$0.index] }, context)
    }

    /// Adds the retries' keys to the batches they belong to.
    static func record(_ report: BatchRunner.Report, batches: [Int: String], in context: TranscodelyContext) async throws {
        let byBatch = Dictionary(grouping: report.items.filter { batches[$0.index] != nil }) { batches[$0.index]! }
        for (name, items) in byBatch.sorted(by: { $0.key < $1.key }) {
            let known = await context.session.batches[name]?.keys ?? []
            let seen = Set(known)
            let keys = known + items.map(\.key).filter { !seen.contains($0) }
            try await context.session.record(ShellSession.Batch(name: name, keys: keys, failed: []))
        }
    }
}
