import ArgumentParser
import Foundation
import ShellKit
import TranscodelyShell

/// `tcly run FILE [--keep-going] [--dry-run]`.
struct RunScript: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a script; exit 0 only if every command succeeded.")

    @Argument(help: "The script.") var file: String
    @Flag(help: "Go on after a failing command.") var keepGoing = false
    @Flag(help: "Check the script and list its commands; run nothing.") var dryRun = false
    @Flag(help: "Commands that print answer with one JSON document each.") var json = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            fail("run: cannot read \(file): no such file or not text; give the path of a script", code: 2)
        }
        if dryRun {
            do {
                for command in try Parser(file: file, longLineHint: TranscodelyCommands.profile.longLineHint).parse(text) {
                    print("\(command.location): \(command.sourceLine.trimmingCharacters(in: .whitespaces))")
                }
            } catch {
                fail(ShellError.describe(error), code: 2)
            }
            return
        }
        let (shell, engine) = await ShellEntry.start(connection, resume: false)
        if json { await shell.set("json", "on") }
        let status = await shell.run(text, file: file, keepGoing: keepGoing ? true : nil)
        await ShellEntry.finish(shell, engine)
        throw ExitCode(processStatus(status))
    }
}
