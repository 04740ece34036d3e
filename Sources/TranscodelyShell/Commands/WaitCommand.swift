import ArgumentParser
import BatchKit
import Foundation
import ShellKit
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// `wait JOB…|--batch B|--all [--for ended|completed] [--timeout DURATION]`: blocks, printing
/// nothing, until the jobs reach the condition, then prints one summary line (`--json`: one
/// document). For scripts: status 0 when every job reached it; 1 when one failed or was canceled
/// under `--for completed` (the default: decided then, without waiting for the rest); 124 when the
/// timeout passed first, as timeout(1) says it. `tcly -c`/`tcly run` exit with that status too.
///
/// It follows jobs as `watch` does: one `List(updated_since)` per tick (`--interval`), plus one per
/// further page, never one Get per job, on the context's clock; when a `listen` receiver is
/// running, pushed events drive it and it polls only after a silence of a whole tick.
struct WaitCommand: ShellCommand {
    static let about = CommandAbout(name: "wait", group: "Jobs",
                                    summary: "block until jobs end: status 0 reached, 1 failed or canceled, 124 timed out",
                                    example: "wait --batch nightly --timeout 2h")

    /// What the jobs must reach.
    enum Condition: String, ExpressibleByArgument, CaseIterable {
        /// Every job completed (a failed or canceled one decides at once: status 1).
        case completed
        /// Every job ended, whichever way.
        case ended
    }

    @Argument(help: "Job ids (default: --batch or --all).") var jobs: [String] = []
    @Option(help: "Every job of this batch (its newest attempt of each item).") var batch: String?
    @Flag(help: "Every job of the session (the newest attempt of each item).") var all = false
    @Option(name: .customLong("for"), help: ArgumentHelp("ended: every job ended; completed: every job completed (1 as soon as one failed or was canceled).",
                                                          valueName: "condition"))
    var condition: Condition = .completed
    @Option(help: ArgumentHelp("Give up after this long with status 124: 90s, 5m, 2h (default: never).", valueName: "duration"))
    var timeout: String?
    @Option(help: "Seconds between polls (with a listen running: the silence after which it polls).") var interval: Double = 1
    @Flag(help: "The summary as one JSON document.") var json = false

    func validate() throws {
        let selections = (jobs.isEmpty ? 0 : 1) + (batch == nil ? 0 : 1) + (all ? 1 : 0)
        guard selections == 1 else {
            throw ValidationError(selections == 0 ? "name what to wait for: JOB..., --batch B or --all" : "give JOB..., --batch B or --all, one of them")
        }
        guard interval >= 0.05, interval <= 3600 else { throw ValidationError("--interval must be 0.05...3600 seconds, got \(interval)") }
        if let timeout, DurationText.parse(timeout) == nil {
            throw ValidationError("--timeout takes a duration as 90s, 5m or 2h (or seconds), got \"\(timeout)\"")
        }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        let clock = context.clock
        let start = clock.now
        let limit = timeout.flatMap(DurationText.parse)
        let deadline = limit.map { start + $0 }

        // What to follow: the session's entries (their state as last seen is refreshed by the
        // first poll, which lists every job once) and ids it does not know.
        let monitor = JobMonitor()
        var order: [String]
        if !jobs.isEmpty {
            var named: Set<String> = []
            order = jobs.filter { named.insert($0).inserted }
            var known: [Job] = []
            for id in order {
                if let entry = await context.session.entry(id: id) { known.append(entry.job) }
            }
            await monitor.track(known.map(Self.unseen))
            await monitor.track(ids: order)
        } else {
            let entries = await context.session.current(batch: batch)
            if let batch, entries.isEmpty {
                throw ShellError("wait: no batch \"\(batch)\" in this session (jobs lists them)", status: 2)
            }
            order = entries.map(\.job.id)
            await monitor.track(entries.map { Self.unseen($0.job) })
        }
        guard !order.isEmpty else {
            report(Summary(condition: condition, total: 0, counts: [:], failed: [], elapsed: .zero, timedOut: false), shell)
            return
        }

        // Pushed events, when a receiver runs.
        var inbox: JobInbox?
        var subscription: (listener: WebhookListener, id: UInt64)?
        if let listener = context.listener {
            let (id, stream) = listener.subscribe()
            let box = JobInbox(clock: clock)
            await box.start(stream)
            inbox = box
            subscription = (listener, id)
        }
        defer {
            if let subscription { subscription.listener.unsubscribe(subscription.id) }
            if let inbox { Task { await inbox.stop() } }
        }

        let tick = Duration.milliseconds(Int64(interval * 1000))
        var poll = true
        var first = true
        var quietSince = clock.now
        var outcome: Outcome
        while true {
            var changed: [Job] = []
            if poll {
                do { changed = try await monitor.poll(context.jobs) } catch { throw error.shellError("wait") }
                quietSince = clock.now
            }
            if first {
                // The first poll listed every job: one never seen does not exist.
                first = false
                var unknown: [String] = []
                for id in order {
                    if await monitor.record(id)?.updatedAt == 0 { unknown.append(id) }
                }
                if !unknown.isEmpty {
                    throw ShellError("wait: no job \(unknown.joined(separator: ", ")) in this organization; jobs and ls list the jobs there are")
                }
            }
            for job in changed { try await context.session.update(job) }
            if let decided = await decide(monitor, order) {
                outcome = decided
                break
            }
            let now = clock.now
            if let deadline, now >= deadline {
                outcome = .timedOut
                break
            }
            let remaining = deadline.map { $0 - now }
            if let inbox {
                // Pushed events until a whole tick of silence, then a poll fills any gap.
                let silence = tick - (now - quietSince)
                let arrived = await inbox.take(waiting: max(.zero, min(silence, remaining ?? silence)))
                // Only news of a followed job counts as not silent: another job's events do not
                // put off the poll that would find a delivery of ours that was lost.
                for job in arrived where await monitor.apply(job) {
                    try await context.session.update(job)
                    quietSince = clock.now
                }
                poll = clock.now - quietSince >= tick
                try Task.checkCancellation()
            } else {
                try await clock.sleep(for: min(tick, remaining ?? tick))
                poll = true
            }
        }

        var failed: [String] = []
        var counts: [JobStatus: Int] = [:]
        for id in order {
            guard let status = await monitor.record(id)?.status else { continue }
            counts[status, default: 0] += 1
            if status == .failed || status == .canceled { failed.append(id) }
        }
        let summary = Summary(condition: condition, total: order.count, counts: counts, failed: failed,
                              elapsed: clock.now - start, timedOut: outcome == .timedOut)
        report(summary, shell)
        switch outcome {
        case .reached: return
        case .failed:
            let first = failed.first ?? ""
            throw ShellError("wait: \(failed.count) job(s) failed or were canceled (first \(first)); why \(first) says why, retry-failed resubmits what can succeed")
        case .timedOut:
            throw ShellError("wait: timed out after \(DurationText.format(limit ?? .zero)); \(summary.open) job(s) not ended yet; wait again, or watch them",
                             status: 124)
        }
    }

    /// How the wait ended.
    enum Outcome { case reached, failed, timedOut }

    /// Whether the jobs' states decide the wait already.
    private func decide(_ monitor: JobMonitor, _ order: [String]) async -> Outcome? {
        var open = false
        for id in order {
            let status = await monitor.record(id)?.status ?? .pending
            if condition == .completed, status == .failed || status == .canceled { return .failed }
            if !status.isTerminal { open = true }
        }
        return open ? nil : .reached
    }

    /// A job as if never seen, so that the first poll (which lists every job) refreshes it.
    private static func unseen(_ job: Job) -> Job {
        var copy = job
        copy.updatedAt = Timestamp(microseconds: 0)
        return copy
    }

    /// The one line (or document) a wait prints when it ends.
    struct Summary {
        var condition: Condition
        var total: Int
        var counts: [JobStatus: Int]
        /// Jobs that failed or were canceled.
        var failed: [String]
        var elapsed: Duration
        var timedOut: Bool

        var open: Int { counts.filter { !$0.key.isTerminal }.values.reduce(0, +) }

        var line: String {
            let parts = JobStatus.allCases.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
            let verdict = timedOut ? "timed out" : reached ? "all \(condition.rawValue)" : "not all \(condition.rawValue)"
            return "wait: \(verdict) after \(DurationText.format(elapsed)): \(total) job\(total == 1 ? "" : "s"), "
                + (parts.isEmpty ? "none" : parts.joined(separator: ", "))
        }

        var reached: Bool {
            !timedOut && (condition == .ended ? open == 0 : counts[.completed, default: 0] == total)
        }

        var document: String {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("condition"); writer.string(condition.rawValue)
            writer.key("counts")
            writer.beginObject()
            for status in JobStatus.allCases { writer.key(status.rawValue); writer.int(Int64(counts[status, default: 0])) }
            writer.endObject()
            writer.key("failed")
            writer.beginArray()
            for id in failed { writer.string(id) }
            writer.endArray()
            writer.key("jobs"); writer.int(Int64(total))
            writer.key("reached"); writer.bool(reached)
            writer.key("seconds"); writer.number((elapsed / .milliseconds(1)).rounded() / 1000)
            writer.key("status"); writer.int(timedOut ? 124 : reached ? 0 : 1)
            writer.key("timed_out"); writer.bool(timedOut)
            writer.endObject()
            return writer.text
        }
    }

    private func report(_ summary: Summary, _ shell: Shell<TranscodelyContext>) {
        shell.output.line(json ? summary.document : summary.line)
    }
}
