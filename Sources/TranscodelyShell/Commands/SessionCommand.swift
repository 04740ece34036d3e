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

    func validate() throws {
        guard action == "save" || action == "load" else { throw ValidationError("ACTION must be save or load, got \"\(action)\"") }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if action == "save" {
            let variables = await shell.variables.filter { TranscodelyCommands.profile.redaction.redact($0.value) == $0.value && $0.key != "status" }
            let bytes = try await context.session.saved(variables: variables)
            do { try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
                throw ShellError("session save: cannot write \(file): \(error.localizedDescription)")
            }
            shell.output.line("saved \(await context.session.count) job(s), \(await context.session.batches.count) batch(es) to \(file)")
        } else {
            let (jobs, batches, variables) = try await context.session.load(saved: file)
            for (name, value) in variables { await shell.set(name, value) }
            shell.output.line("loaded \(jobs) job(s), \(batches) batch(es) from \(file)")
        }
    }
}
