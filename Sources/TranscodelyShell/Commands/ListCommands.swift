import Foundation
import ArgumentParser
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `ls [--status S] [--meta K=V]...`: jobs on the server.
struct LsCommand: ShellCommand {
    static let about = CommandAbout(name: "ls", group: "Server", summary: "list jobs on the server", example: "ls --status failed --meta batch_id=nightly")
    @Option var status: [String] = []
    @Option var meta: [String] = []
    @Flag var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        let statuses = try status.map { text throws(ShellError) in
            guard let value = JobStatus(wire: text) else { throw ShellError("ls: --status \"\(text)\" is not one of \(JobStatus.choices)", status: 2) }
            return value
        }
        let jobs = try await StatusCommand.list(context, ListJobsRequest(status: statuses, metadata: try Self.metadata(meta), pageSize: 1000))
        JobTable.print(jobs, json: json, shell: shell)
    }

    /// `--meta K=V` filters, with `ls`'s errors.
    static func metadata(_ pairs: [String]) throws(ShellError) -> [String: String] {
        do { return try TranscodelyContext.metadata(pairs) } catch { throw error.of("ls") }
    }
}

/// `origins`.
struct OriginsCommand: ShellCommand {
    static let about = CommandAbout(name: "origins", group: "Server", summary: "list the origins", example: "origins")
    @Flag var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        let origins: [Origin]
        do { origins = try await context.origins.list() } catch { throw error.shellError("origins") }
        if json {
            shell.output.line(String(decoding: try WireCoding.canonicalEncoder().encode(ListOriginsResponse(origins: origins)), as: UTF8.self))
            return
        }
        var table = Table(["ID", "NAME", "KIND", "PATH"])
        for origin in origins { table.add([origin.id, origin.name, origin.kind, origin.path]) }
        shell.output.line(table.text)
    }
}

/// `files ORIGIN [PREFIX]`.
struct FilesCommand: ShellCommand {
    static let about = CommandAbout(name: "files", group: "Server", summary: "list the files of an origin", example: "files ori_local_input uploads/")
    @Argument var origin: String
    @Argument var prefix: String = ""

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        var token = ""
        var table = Table(["PATH", "SIZE"])
        repeat {
            let page: ListFilesResponse
            do { page = try await context.origins.listFiles(ListFilesRequest(originID: origin, prefix: prefix, pageSize: 1000, pageToken: token)) }
            catch { throw error.shellError("files") }
            for file in page.files { table.add([file.path, String(file.sizeBytes)]) }
            token = page.nextPageToken
        } while !token.isEmpty
        shell.output.line(table.rows.isEmpty ? "no files" : table.text)
    }
}
