import ArgumentParser
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `session save FILE` / `session load FILE`: the session's state (jobs, batches, failed creates,
/// variables) as one JSON document. Variables that look like secrets are not written.
struct SessionCommand: ShellCommand {
    static let about = CommandAbout(name: "session", group: "Session", summary: "save or load the session's state as JSON",
                                    example: "session save nightly-session.json")
    @Argument(help: "save or load.") var action: String
    @Argument var file: String

    /// The document.
    struct Document: Codable {
        var version = 1
        var jobs: [ShellSession.Entry]
        var batches: [ShellSession.Batch]
        var failures: [ShellSession.FailedCreate]
        var variables: [String: String]
    }

    func validate() throws {
        guard action == "save" || action == "load" else { throw ValidationError("ACTION must be save or load, got \"\(action)\"") }
    }

    mutating func run(in shell: Shell) async throws {
        let context = try shell.transcodely
        if action == "save" {
            let session = context.session
            var variables = await shell.variables
            variables = variables.filter { HistoryRedaction.redact($0.value) == $0.value && $0.key != "status" }
            let batches = await session.batchOrder.asyncMap { await session.batches[$0] }.compactMap { $0 }
            let document = Document(jobs: await session.jobs(), batches: batches, failures: await session.failures, variables: variables)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            do { try encoder.encode(document).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
                throw ShellError("session save: cannot write \(file): \(error.localizedDescription)")
            }
            shell.output.line("saved \(document.jobs.count) job(s), \(document.batches.count) batch(es) to \(file)")
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ShellError("session load: cannot read \(file): no such file")
            }
            let document: Document
            do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
                throw ShellError("session load: \(file) is not a saved session: \(error)")
            }
            for entry in document.jobs {
                try await context.session.record(entry.job, request: entry.request, batch: entry.batch, retryOf: entry.retryOf)
            }
            for batch in document.batches { try await context.session.record(batch) }
            for failure in document.failures { try await context.session.recordFailure(failure) }
            for (name, value) in document.variables { await shell.set(name, value) }
            shell.output.line("loaded \(document.jobs.count) job(s), \(document.batches.count) batch(es) from \(file)")
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}
