import ArgumentParser
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `why [JOB] [--batch B] [--json]`: why a job failed, in the encoder's own words — the verdict,
/// where it broke, the lines of the tool's output that matter, the exact command, the attempts and
/// retries so far, and the next commands to run. `why --batch B` groups a batch's failures by
/// cause and lists the creates that never became jobs.
struct WhyCommand: ShellCommand {
    static let about = CommandAbout(name: "why", group: "Jobs", summary: "explain a failure in the encoder's own words, and what to do next",
                                    example: "why $last")
    @Argument(help: "A failed job (default: the session's newest failed job).") var job: String?
    @Option(help: "Group this batch's failures by cause.") var batch: String?
    @Flag(help: "One JSON document.") var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        if await shell.wantsJSON { json = true }
        if let batch {
            guard job == nil else { throw ShellError("why: give a job or --batch, not both; why JOB explains one job, why --batch B a batch", status: 2) }
            try await explain(batch: batch, shell)
            return
        }
        try await explain(job: job, shell)
    }

    // MARK: - One job

    private func explain(job requested: String?, _ shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        let newestFailed = await context.session.jobs(status: .failed).last?.job.id
        guard let id = requested ?? newestFailed else {
            throw ShellError("why: no failed job in this session; name one: why JOB (status --all lists the server's)", status: 2)
        }
        let found: Job
        do { found = try await context.jobs.get(id: id) } catch { throw error.shellError("why") }
        try await context.session.update(found)
        guard let verdict = FailureVerdict(found) else {
            let state = found.status == .canceled ? "was canceled" : "is \(found.status.rawValue)"
            if json { shell.output.line(#"{"job":"\#(found.id)","status":"\#(found.status.rawValue)"}"#); return }
            shell.output.line("\(found.id) \(state): nothing failed")
            return
        }
        let (log, logNote) = try await Self.log(of: found.id, context)
        let lineage = await context.session.chain(of: found.id)
        let newest = lineage.last?.job ?? found
        if json {
            shell.output.line(Self.document(verdict, log: log, lineage: lineage, next: verdict.next(newest: newest)))
            return
        }
        var out = ["\(found.id)  failed  \(verdict.sentence)"]
        func field(_ name: String, _ value: String) { out.append(name.padding(toLength: 10, withPad: " ", startingAt: 0) + value) }
        if let location = verdict.location { field("where", location) }
        field("message", verdict.error.message)
        if let attempt = log?.attempts.last {
            let (errors, context) = FailureVerdict.lines(thatMatter: attempt.lines)
            if !errors.isEmpty || !context.isEmpty {
                // No command: the engine stopped the attempt before any tool ran (a missing input).
                let speaker = attempt.command.isEmpty ? "the engine" : attempt.tool.isEmpty ? "the encoder" : attempt.tool
                field("said", "\(speaker), attempt \(attempt.number)\(attempt.truncated ? " (log truncated)" : ""):")
                for line in errors { out.append("            " + line) }
                if !context.isEmpty, !errors.isEmpty { out.append("            …") }
                for line in context where !errors.contains(line) { out.append("            " + line) }
            }
            if !attempt.command.isEmpty { field("command", attempt.command.map(SaveCommand.quote).joined(separator: " ")) }
        } else if let logNote {
            field("said", logNote)
        }
        if let attempts = log?.attempts, !attempts.isEmpty {
            field("attempts", attempts.map(Self.describe).joined(separator: "; "))
        }
        if lineage.count > 1 {
            field("retries", lineage.map { entry in
                let key = entry.job.idempotencyKey.map { " \($0)" } ?? ""
                return entry.job.id == found.id ? "\(entry.job.id)\(key) (this one, \(entry.job.status.rawValue))" : "\(entry.job.id)\(key) (\(entry.job.status.rawValue))"
            }.joined(separator: " → "))
        }
        let next = verdict.next(newest: newest)
        if newest.id != found.id {
            field("next", "\(newest.id), its newest retry, is \(newest.status.rawValue)" + (newest.status == .failed ? ": why \(newest.id)" : ""))
        } else {
            for (index, step) in next.enumerated() { index == 0 ? field("next", step) : out.append("          " + step) }
        }
        shell.output.line(out.joined(separator: "\n"))
    }

    /// The job's attempt log, or nil and a sentence saying why there is none.
    static func log(of id: String, _ context: TranscodelyContext) async throws(CancellationError) -> (JobLog?, String?) {
        do { return (try await context.jobs.log(id: id), nil) } catch {
            try error.stopIfCancelled()
            switch error.code {
            case .unimplemented, .notFound: return (nil, "this API keeps no encoder logs (JobService/GetLog: \(error.code.rawValue))")
            default: return (nil, "the log could not be read: \(error.code.rawValue): \(error.message)")
            }
        }
    }

    static func describe(_ attempt: JobLog.Attempt) -> String {
        var text = "#\(attempt.number) \(attempt.outcome)"
        if let ended = attempt.endedAt {
            text += String(format: " after %.1f s", Double(ended.microseconds - attempt.startedAt.microseconds) / 1_000_000)
        }
        return text
    }

    static func document(_ verdict: FailureVerdict, log: JobLog?, lineage: [ShellSession.Entry], next: [String]) -> String {
        let error = verdict.error
        var writer = JSONWriter()
        writer.beginObject()
        let attempt = log?.attempts.last
        writer.key("attempts")
        writer.beginArray()
        for attempt in log?.attempts ?? [] {
            writer.beginObject()
            if let ended = attempt.endedAt { writer.field("ended_at", ended) }
            writer.key("number"); writer.int(Int64(attempt.number))
            writer.field("outcome", attempt.outcome)
            writer.field("started_at", attempt.startedAt)
            writer.endObject()
        }
        writer.endArray()
        if let category = error.effectiveCategory { writer.field("category", category.rawValue) }
        writer.field("code", error.code)
        writer.field("command", attempt?.command ?? [])
        if let duration = verdict.job.input?.durationSeconds { writer.key("duration_seconds"); writer.number(duration) }
        writer.field("job", verdict.job.id)
        writer.key("lineage")
        writer.beginArray()
        for entry in lineage {
            writer.beginObject()
            writer.field("id", entry.job.id)
            if let key = entry.job.idempotencyKey { writer.field("idempotency_key", key) }
            writer.field("status", entry.job.status.rawValue)
            writer.endObject()
        }
        writer.endArray()
        writer.field("lines", attempt?.lines ?? [])
        writer.field("message", error.message)
        writer.field("next", next)
        if let phase = error.phase { writer.field("phase", phase.rawValue) }
        if let position = error.positionSeconds { writer.key("position_seconds"); writer.number(position) }
        writer.key("retryable")
        if let retryable = verdict.retryable { writer.bool(retryable) } else { writer.raw(Array("null".utf8)) }
        if let tool = attempt?.tool { writer.field("tool", tool) }
        writer.endObject()
        return writer.text
    }

    // MARK: - A batch

    /// One cause of a batch's failures: the jobs that failed the same way.
    struct Group {
        var code: String
        var category: FailureCategory?
        var phase: FailurePhase?
        var jobs: [Job]
    }

    private func explain(batch: String, _ shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        let entries = await context.session.current(batch: batch)
        let failedCreates = await context.session.failures.filter { $0.batch == batch }
        guard !entries.isEmpty || !failedCreates.isEmpty else {
            throw ShellError("why: no batch \"\(batch)\" in this session (jobs lists them)", status: 2)
        }
        try await StatusCommand.refresh(entries, context, command: "why")
        let failed = await context.session.current(batch: batch).map(\.job).filter { $0.status == .failed }
        var groups: [Group] = []
        for job in failed {
            let error = job.error ?? JobError(code: .internal, message: "")
            if let index = groups.firstIndex(where: { $0.code == error.code && $0.category == error.effectiveCategory && $0.phase == error.phase }) {
                groups[index].jobs.append(job)
            } else {
                groups.append(Group(code: error.code, category: error.effectiveCategory, phase: error.phase, jobs: [job]))
            }
        }
        // Largest cause first; causes of the same size in the order they were first seen.
        groups = groups.enumerated().sorted { ($0.element.jobs.count, $1.offset) > ($1.element.jobs.count, $0.offset) }.map(\.element)
        if json {
            shell.output.line(Self.document(batch: batch, groups: groups, failedCreates: failedCreates))
            return
        }
        if groups.isEmpty && failedCreates.isEmpty {
            shell.output.line("batch \(batch): nothing failed (\(entries.count) job(s))")
            return
        }
        var out: [String] = []
        if !groups.isEmpty {
            out.append("batch \(batch): \(failed.count) of \(entries.count) job(s) failed, \(groups.count) cause(s)")
            var table = Table(["COUNT", "CODE", "PHASE", "RETRY", "FIRST", "NEXT"])
            for group in groups {
                let first = group.jobs[0]
                let verdict = FailureVerdict(first)
                let retry = switch verdict?.retryable { case true?: "may help"; case false?: "won't help"; case nil: "?" }
                table.add([String(group.jobs.count), group.code, group.phase?.rawValue ?? "-", retry,
                           "\(first.id) \(first.inputPath)", Self.groupNext(group, batch: batch)])
            }
            out.append(table.text)
        }
        if !failedCreates.isEmpty {
            out.append("\(failedCreates.count) create(s) never became jobs:")
            for failure in failedCreates.prefix(10) {
                out.append("  \(failure.request.inputPath)  \(failure.request.idempotencyKey ?? "-")  \(failure.code): \(failure.message)")
            }
            if failedCreates.count > 10 { out.append("  … and \(failedCreates.count - 10) more (why --batch \(batch) --json lists them all)") }
            out.append("  next: retry-failed --batch \(batch) --creates")
        }
        shell.output.line(out.joined(separator: "\n"))
    }

    /// One next step for a group of failures of a batch.
    static func groupNext(_ group: Group, batch: String) -> String {
        guard let verdict = FailureVerdict(group.jobs[0]) else { return "why \(group.jobs[0].id)" }
        switch (JobError.Code(rawValue: group.code), verdict.error.effectiveCategory) {
        case (.inputNotFound?, _): return "retry-failed --batch \(batch) (sends those whose input exists now)"
        case (.encodeFailed?, .configuration?): return "retry-failed --batch \(batch) --output SPEC"
        case _ where verdict.retryable == false: return "why \(group.jobs[0].id); replace the inputs, then retry-failed --batch \(batch) --all"
        default: return "retry-failed --batch \(batch)"
        }
    }

    static func document(batch: String, groups: [Group], failedCreates: [ShellSession.FailedCreate]) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("batch", batch)
        writer.key("failed_creates")
        writer.beginArray()
        for failure in failedCreates {
            writer.beginObject()
            writer.field("code", failure.code)
            if let key = failure.request.idempotencyKey { writer.field("idempotency_key", key) }
            writer.field("input_path", failure.request.inputPath)
            writer.field("message", failure.message)
            writer.endObject()
        }
        writer.endArray()
        writer.key("groups")
        writer.beginArray()
        for group in groups {
            writer.beginObject()
            if let category = group.category { writer.field("category", category.rawValue) }
            writer.field("code", group.code)
            writer.key("count"); writer.int(Int64(group.jobs.count))
            writer.field("first_job", group.jobs[0].id)
            writer.field("jobs", group.jobs.map(\.id))
            writer.field("next", groupNext(group, batch: batch))
            if let phase = group.phase { writer.field("phase", phase.rawValue) }
            if let retryable = FailureVerdict(group.jobs[0])?.retryable { writer.key("retryable"); writer.bool(retryable) }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.text
    }
}
