import ArgumentParser
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `status [JOB|--batch B|--all]`: refreshes jobs from the server and shows them as a table.
struct StatusCommand: ShellCommand {
    static let about = CommandAbout(name: "status", group: "Jobs", summary: "refresh jobs from the server and show them",
                                    example: "status --batch nightly")
    @Argument(help: "One job id (default: the session's jobs).") var job: String?
    @Option(help: "Only this batch's jobs.") var batch: String?
    @Flag(help: "Every job of the organization on the server, not only the session's.") var all = false
    @Flag(help: "Print the jobs as JSON.") var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        var jobs: [Job]
        if let job {
            do { jobs = [try await context.jobs.get(id: job)] } catch { throw error.shellError("status") }
            try await context.session.update(jobs[0])
        } else if all {
            jobs = try await Self.list(context, ListJobsRequest(pageSize: 1000))
        } else {
            let entries = await context.session.jobs(batch: batch)
            if let batch, entries.isEmpty { throw ShellError("status: no batch \"\(batch)\" in this session (jobs lists them)", status: 2) }
            try await Self.refresh(entries, context)
            jobs = await context.session.current(batch: batch).map(\.job)
        }
        JobTable.print(jobs, json: json, shell: shell)
        if jobs.contains(where: { $0.status == .failed }) && job != nil { throw ShellError("status: job \(job!) failed") }
    }

    /// Every page of a List, each job once (its latest state); errors are `command`'s.
    /// Brings the session's `entries` up to date with one List of what changed since the oldest
    /// state held (not one Get per job), and returns the jobs that List answered; nothing is sent
    /// for no entries. `command` names the errors.
    @discardableResult
    static func refresh(_ entries: [ShellSession.Entry], _ context: TranscodelyContext, command: String = "status") async throws -> [Job] {
        guard let oldest = entries.map(\.job.updatedAt).min() else { return [] }
        let changed = try await list(context, ListJobsRequest(updatedSince: Timestamp(microseconds: oldest.microseconds - 1), pageSize: 1000),
                                     command: command)
        for job in changed { try await context.session.update(job) }
        return changed
    }

    static func list(_ context: TranscodelyContext, _ request: ListJobsRequest, command: String = "status") async throws -> [Job] {
        var all: [String: Job] = [:]
        var order: [String] = []
        var request = request
        repeat {
            let page: ListJobsResponse
            do { page = try await context.jobs.list(request) } catch { throw error.shellError(command) }
            for job in page.jobs {
                if all[job.id] == nil { order.append(job.id) }
                all[job.id] = job
            }
            request.pageToken = page.nextPageToken
        } while !(request.pageToken ?? "").isEmpty
        return order.compactMap { all[$0] }
    }
}
