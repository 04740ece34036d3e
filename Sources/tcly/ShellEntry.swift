import ArgumentParser
import Foundation
import ShellKit
import TranscodelyServer
import TranscodelyShell

/// `tcly` (the shell), `tcly -c 'CMD; CMD'`.
struct ShellEntry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "The interactive shell (the default): commands on stdin, or -c.")

    @Option(name: .customShort("c"), help: "Run these commands, then exit.") var commands: String?
    @Flag(help: "Rebuild the last session from its journal (after a crash) and go on with it.") var resume = false
    @Flag(help: "Go on after a failing command.") var keepGoing = false
    @Flag(help: "Commands that print answer with one JSON document each.") var json = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let (shell, engine) = await ShellEntry.start(connection, resume: resume)
        if json { await shell.set("json", "on") }
        let status: Int32
        if let commands {
            status = await shell.run(commands, file: "<command line>", keepGoing: keepGoing ? true : nil)
        } else {
            status = await ShellEntry.interactive(shell)
        }
        await ShellEntry.finish(shell, engine)
        throw ExitCode(processStatus(status))
    }

    /// The interactive loop: line editing on a terminal, plain lines otherwise.
    static func interactive(_ shell: Shell<TranscodelyContext>) async -> Int32 {
        let interactive = EditLineReader.isUsable
        let reader: any LineReader = interactive
            ? EditLineReader(program: "tcly", historyFile: SessionFiles.history.path,
                             completer: Completer(registry: shell.registry, source: TranscodelyCompletion(shell: shell)))
            : PlainLineReader()
        return await Repl(shell: shell, reader: reader, interactive: interactive).run()
    }

    /// A shell over the configured connection and a new (or resumed) journaled session; the
    /// embedded engine, when one started, is returned to be stopped by ``finish(_:_:)``.
    static func start(_ connection: ConnectionOptions, resume: Bool) async -> (Shell<TranscodelyContext>, LocalEngine?) {
        let (transport, engine) = await connection.connect()
        let session: ShellSession
        do {
            session = resume ? try await ShellSession.resume(from: try SessionFiles.last()) : try ShellSession(journal: try SessionFiles.newJournal())
        } catch {
            try? await engine?.stop()
            fail((error as? ShellError)?.message ?? describe(error))
        }
        if resume {
            let count = await session.jobs().count
            FileHandle.standardError.write(Data("tcly: resumed the last session: \(count) job(s)\n".utf8))
        }
        let context = TranscodelyContext(transport: transport, session: session)
        return (TranscodelyCommands.shell(context), engine)
    }

    /// Closes the shell's commands (listeners, journal) and stops the embedded engine: the process
    /// exits only after both.
    static func finish(_ shell: Shell<TranscodelyContext>, _ engine: LocalEngine?) async {
        await TranscodelyCommands.close(shell)
        try? await engine?.stop()
    }
}
