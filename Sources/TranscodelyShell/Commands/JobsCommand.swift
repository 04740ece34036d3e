import ArgumentParser
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `jobs [--status S] [--batch B]`: the session's jobs as last seen, without asking the server.
struct JobsCommand: ShellCommand {
    static let about = CommandAbout(name: "jobs", group: "Session", summary: "the session's jobs, without asking the server",
                                    example: "jobs --status failed")
    @Option(help: "Only jobs in this status.") var status: String?
    @Option(help: "Only this batch's jobs.") var batch: String?
    @Flag var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        var wanted: JobStatus?
        if let status {
            guard let value = JobStatus(wire: status) else {
                throw ShellError("jobs: --status \"\(status)\" is not one of \(JobStatus.choices)", status: 2)
            }
            wanted = value
        }
        JobTable.print(await context.session.jobs(batch: batch, status: wanted).map(\.job), json: json, shell: shell)
        let failures = await context.session.failures.filter { batch == nil || $0.batch == batch }
        if !failures.isEmpty, !json, wanted == nil {
            shell.output.line("\(failures.count) create(s) failed and were not made (retry-failed --creates sends them again):")
            for failure in failures.prefix(10) {
                shell.output.line("  \(failure.request.inputPath)  \(failure.code): \(failure.message)")
            }
        }
    }
}
