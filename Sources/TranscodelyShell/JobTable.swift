import Foundation
import ShellKit
import TranscodelyAPI

/// Jobs as the shell shows them: a table, or one JSON document.
enum JobTable {
    static func print(_ jobs: [Job], json: Bool, shell: Shell<TranscodelyContext>) {
        if json {
            var writer = JSONWriter()
            writer.beginArray()
            for job in jobs { job.write(to: &writer) }
            writer.endArray()
            shell.output.line(writer.text)
            return
        }
        guard !jobs.isEmpty else { shell.output.line("no jobs"); return }
        // STATUS keeps ten columns (the longest status, and room), so tables of a few jobs and of
        // many line up alike; colours take no width (see `DisplayWidth`).
        var table = Table(["ID", "INPUT", "STATUS", "PROGRESS", "ERROR"], minimumWidths: [2: 10])
        for job in jobs {
            let color = switch job.status {
            case .completed: 32
            case .failed: 31
            case .canceled: 2
            default: 33
            }
            table.add([job.id, job.inputPath, shell.output.paint(job.status.rawValue, color),
                       String(format: "%5.1f%%", job.progress),
                       job.error.map { "\($0.code): \($0.message)" } ?? ""])
        }
        shell.output.line(table.text)
    }
}
