import ArgumentParser
import BatchKit
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `watch [JOB|--batch B|--all]`: follows jobs until every one has ended, one List request per
/// tick; prints a timestamped line per change. Fails (in scripts) when any watched job failed.
struct WatchCommand: ShellCommand {
    static let about = CommandAbout(name: "watch", group: "Jobs", summary: "follow jobs until they end",
                                    example: "watch --batch nightly --interval 2")
    @Argument var job: String?
    @Option var batch: String?
    @Flag(help: "Every unfinished job of the session (the default).") var all = false
    @Option(help: "Seconds between polls.") var interval: Double = 1
    @Flag(help: "One JSON line per change.") var json = false
    @Flag(help: "Succeed even when watched jobs failed (the summary still counts them).") var noFail = false

    func validate() throws {
        guard interval >= 0.05, interval <= 3600 else { throw ValidationError("--interval must be 0.05...3600 seconds, got \(interval)") }
    }

    mutating func run(in shell: Shell) async throws {
        let context = try shell.transcodely
        if await shell.wantsJSON { json = true }
        var jobs: [Job]
        if let job {
            do { jobs = [try await context.jobs.get(id: job)] } catch { throw error.shellError("watch") }
        } else {
            // A failed job that a retry replaced is not watched again: its retry is.
            jobs = await context.session.current(batch: batch).map(\.job).filter { batch != nil || !$0.status.isTerminal }
        }
        guard !jobs.isEmpty else { shell.output.line("nothing to watch: every session job has ended"); return }
        let monitor = JobMonitor()
        await monitor.track(jobs.map { var copy = $0; copy.updatedAt = Timestamp(microseconds: 0); return copy })
        let inputs = Dictionary(jobs.map { ($0.id, $0.inputPath) }, uniquingKeysWith: { a, _ in a })
        while true {
            let changed: [Job]
            do { changed = try await monitor.poll(context.jobs) } catch { throw error.shellError("watch") }
            for job in changed where inputs[job.id] != nil {
                try await context.session.update(job)
                if json {
                    shell.output.line(JSONWriterText.of(job))
                } else {
                    let detail = job.error.map { "  \($0.code): \($0.message)" } ?? ""
                    shell.output.line("\(Self.clock())  \(job.id)  \(job.inputPath)  \(job.status.rawValue)  \(String(format: "%.0f%%", job.progress))\(detail)")
                }
            }
            if await monitor.open == 0 { break }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
        let counts = await monitor.counts
        let failed = counts[.failed, default: 0]
        if !json {
            shell.output.line("all \(jobs.count) ended: \(counts[.completed, default: 0]) completed, \(failed) failed, \(counts[.canceled, default: 0]) canceled")
        }
        if failed > 0, !noFail { throw ShellError("watch: \(failed) job(s) failed; retry-failed resubmits them") }
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
