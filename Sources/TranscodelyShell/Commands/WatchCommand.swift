import ArgumentParser
import BatchKit
import Foundation
import ShellKit
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// `watch [JOB|--batch B|--all] [--webhook [HOST:]PORT]`: follows jobs until every one has ended.
///
/// Polling costs one List(updated_since) request per tick, never one Get per job. With
/// `--webhook`, pushed events drive it, and one List(updated_since) fills the gaps at the start
/// and after every silence longer than the interval, so a listener that was down misses nothing.
/// On a terminal it draws a live view (counts, an overall bar with ETA, a bar per job); otherwise
/// a timestamped line per change, or with `--json` one JSON line per change. Fails (in scripts)
/// when any watched job failed.
struct WatchCommand: ShellCommand {
    static let about = CommandAbout(name: "watch", group: "Jobs", summary: "follow jobs until they end",
                                    example: "watch --batch nightly --webhook 8089")
    @Argument var job: String?
    @Option var batch: String?
    @Flag(help: "Every unfinished job of the session (the default).") var all = false
    @Option(help: "Seconds between polls (with --webhook: the silence after which it polls).") var interval: Double = 1
    @Option(help: ArgumentHelp("Receive pushed events on [HOST:]PORT (starts `listen` there, or uses it).", valueName: "[HOST:]PORT"))
    var webhook: String?
    @Flag(help: "One JSON line per change.") var json = false
    @Flag(help: "Timestamped lines even on a terminal.") var plain = false
    @Flag(help: "Succeed even when watched jobs failed (the summary still counts them).") var noFail = false

    func validate() throws {
        guard interval >= 0.05, interval <= 3600 else { throw ValidationError("--interval must be 0.05...3600 seconds, got \(interval)") }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        var jobs: [Job]
        if let job {
            do { jobs = [try await context.jobs.get(id: job)] } catch { throw error.shellError("watch") }
        } else {
            // A failed job that a retry replaced is not watched again: its retry is.
            jobs = await context.session.current(batch: batch).map(\.job).filter { batch != nil || !$0.status.isTerminal }
        }
        guard !jobs.isEmpty else { shell.output.line("nothing to watch: every session job has ended"); return }

        var inbox: JobInbox?
        var subscription: (listener: WebhookListener, id: UInt64)?
        if let webhook {
            let (host, port) = try ListenAddress.parse(webhook, command: "watch --webhook")
            let listener: WebhookListener
            do { listener = try await context.listen(host: host, port: port, publicURL: nil) } catch let error as ClientError {
                throw error.shellError("watch --webhook")
            } catch let error as ShellError {
                throw error.of("watch --webhook")
            }
            let (id, stream) = listener.subscribe()
            let box = JobInbox(clock: context.clock)
            await box.start(stream)
            inbox = box
            subscription = (listener, id)
        }
        defer {
            if let subscription { subscription.listener.unsubscribe(subscription.id) }
            if let inbox { Task { await inbox.stop() } }
        }

        let monitor = JobMonitor()
        await monitor.track(jobs.map { var copy = $0; copy.updatedAt = Timestamp(microseconds: 0); return copy })
        let order = jobs.map(\.id)
        let clock = context.clock
        let start = clock.now
        var rows = Dictionary(jobs.map { ($0.id, WatchView.Row(id: $0.id, input: $0.inputPath, status: $0.status, progress: $0.progress,
                                                                 error: nil, changed: start)) }, uniquingKeysWith: { a, _ in a })
        let live = shell.output.isTerminal && !json && !plain
        var screen = WatchScreen()
        let resize = live ? TerminalResize() : nil
        defer { resize?.stop() }
        let tick = Duration.milliseconds(Int(interval * 1000))
        // A live view waits in short slices, so that a resize is redrawn at once.
        let slice = live ? min(tick, .milliseconds(100)) : tick
        var quiet = Duration.zero
        var poll = true
        func draw() {
            shell.output.write(screen.frame(WatchView(rows: order.compactMap { rows[$0] }, started: start, now: clock.now,
                                                      colors: shell.output.colors)))
        }
        while true {
            var changed: [Job] = []
            if poll {
                do { changed = try await monitor.poll(context.jobs) } catch { throw error.shellError("watch") }
            }
            // With webhooks, a poll comes only after a whole interval of silence.
            var silence = false
            if let inbox {
                let arrived = await inbox.take(waiting: poll ? .zero : slice)
                for job in arrived where await monitor.apply(job) { changed.append(job) }
                quiet = !poll && arrived.isEmpty ? quiet + slice : .zero
                silence = quiet >= tick
                if silence { quiet = .zero }
            }
            for job in changed where rows[job.id] != nil {
                try await context.session.update(job)
                rows[job.id]?.status = job.status
                rows[job.id]?.progress = job.progress
                rows[job.id]?.error = job.error.map { "\($0.code): \($0.message)" }
                rows[job.id]?.changed = clock.now
                if json {
                    shell.output.line(JSONWriterText.of(job))
                } else if !live {
                    let detail = job.error.map { "  \($0.code): \($0.message)" } ?? ""
                    shell.output.line("\(Self.time(of: clock.timestamp))  \(job.id)  \(job.inputPath)  \(job.status.rawValue)  \(String(format: "%.0f%%", job.progress))\(detail)")
                }
            }
            if live, !changed.isEmpty || poll || resize?.take() == true { draw() }
            if await monitor.open == 0 { break }
            if inbox == nil {
                var slept = Duration.zero
                while slept < tick {
                    try await clock.sleep(for: slice)
                    slept += slice
                    if resize?.take() == true { draw() }
                }
            } else {
                try Task.checkCancellation()
            }
            poll = inbox == nil || silence
        }
        let counts = await monitor.counts
        let failed = counts[.failed, default: 0]
        if !json {
            shell.output.line("all \(jobs.count) ended: \(counts[.completed, default: 0]) completed, \(failed) failed, \(counts[.canceled, default: 0]) canceled")
        }
        if failed > 0, !noFail { throw ShellError("watch: \(failed) job(s) failed; \(batch.map { "why --batch \($0)" } ?? "why JOB") says why, retry-failed resubmits what can succeed") }
    }

    /// `10:15:30`: when a plain `watch` saw a change, in local time.
    static func time(of stamp: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: stamp.seconds))
    }
}
