import ArgumentParser
import Foundation
import Logging
import ShellKit
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import TranscodelyShell

/// Where the shell connects, from flags or the environment; with no API key, the local engine
/// started in this process (the embedded default).
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The API's base URL (TRANSCODELY_API_URL).") var apiURL: String?
    @Option(help: "The API key (TRANSCODELY_API_KEY); never written to history, journals or logs.") var apiKey: String?
    @Option(help: "The organization id (TRANSCODELY_ORG_ID).") var org: String?
    @Option(help: ArgumentHelp("A PEM CA to trust for https besides the system's (TRANSCODELY_CA_FILE).", valueName: "FILE")) var caFile: String?
    @Option(help: "The embedded engine's encoder when no API key is set: ffmpeg or simulate.") var encoder: String?
    @OptionGroup var data: DataOption

    /// A transport to the configured API, or to a local engine started now (returned too, to stop it).
    func connect() async throws -> (ConnectTransport, RunningServer?) {
        let environment = ProcessInfo.processInfo.environment
        let key = apiKey ?? environment["TRANSCODELY_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let key {
            guard let org = org ?? environment["TRANSCODELY_ORG_ID"], !org.isEmpty else {
                fail("an API key is set but no organization: set TRANSCODELY_ORG_ID or pass --org", code: 2)
            }
            let url = apiURL ?? environment["TRANSCODELY_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? ClientConfiguration.defaultBaseURL
            let ca = caFile.map { ($0, "--ca-file") }
                ?? environment["TRANSCODELY_CA_FILE"].flatMap { $0.isEmpty ? nil : ($0, "TRANSCODELY_CA_FILE") }
            if let (path, source) = ca {
                do { try TrustedCA.check(path, source: source) } catch { fail(error.message, code: 2) }
            }
            return (ConnectTransport(configuration: ClientConfiguration(baseURL: url, apiKey: APIKey(key), organizationID: org,
                                                                        caFile: ca?.0)), nil)
        }
        return try await embedded()
    }

    private func embedded() async throws -> (ConnectTransport, RunningServer?) {
        var configuration = Engine.Configuration(dataDirectory: data.directory)
        var logger = makeLogger("tcly.embedded")
        logger.logLevel = .error
        configuration.logger = logger
        var note = ""
        switch encoder ?? "ffmpeg" {
        case "simulate":
            configuration.encoder = SimulatedEncoder()
            configuration.workers = 8
        case "ffmpeg":
            do {
                configuration.encoder = try await FFmpegEncoder.detect()
                configuration.workers = 1
            } catch {
                configuration.encoder = SimulatedEncoder()
                configuration.workers = 8
                note = "; ffmpeg is not installed (apt-get install ffmpeg), so jobs are simulated"
            }
        case let other:
            fail("--encoder takes ffmpeg or simulate, got \"\(other)\"", code: 2)
        }
        let engine: Engine
        do { engine = try Engine(configuration) } catch {
            fail("\(describe(error)) (or set TRANSCODELY_API_URL, TRANSCODELY_API_KEY and TRANSCODELY_ORG_ID to use a running engine)")
        }
        for warning in engine.warnings { warn(warning) }
        let key = try await engine.store.issueKey(orgID: "org_local", appName: "shell", tier: .standard)
        let running = try await RunningServer.start(TranscodelyHTTPServer(engine: engine, host: "127.0.0.1", port: 0, logger: logger))
        FileHandle.standardError.write(Data("tcly: no API key set; using the local engine at \(running.baseURL) (data \(data.directory.path), encoder \(engine.encoder.name)\(note))\n".utf8))
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: running.baseURL, apiKey: APIKey(key), organizationID: "org_local"))
        return (transport, running)
    }
}

/// Where sessions are journaled: `$XDG_STATE_HOME/tcly/sessions/`, with `last` naming the newest.
enum SessionFiles {
    static var folder: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return URL(fileURLWithPath: base).appendingPathComponent("tcly/sessions")
    }

    /// The history file of the interactive shell (secrets redacted).
    static var history: URL { folder.deletingLastPathComponent().appendingPathComponent("history") }

    /// Makes the state directory and its `sessions` folder owner-only (0700) when they are
    /// missing; warns once when an existing state directory is open to other users (journals
    /// name jobs and files; history holds commands).
    static func prepare() throws {
        if let warning = try OwnerOnly.directory(folder.deletingLastPathComponent(), what: "the shell's state directory") { warn(warning) }
        _ = try OwnerOnly.directory(folder, what: "the shell's sessions directory")
    }

    /// A new journal for this session, remembered as the last one.
    static func newJournal() throws -> URL {
        try prepare()
        let stamp = Int(Date().timeIntervalSince1970)
        let url = folder.appendingPathComponent("session-\(stamp)-\(getpid()).jsonl")
        let last = folder.appendingPathComponent("last")
        try url.path.write(to: last, atomically: true, encoding: .utf8)
        _ = chmod(last.path, 0o600)
        return url
    }

    /// The journal of the last session.
    static func last() throws -> URL {
        guard let path = try? String(contentsOf: folder.appendingPathComponent("last"), encoding: .utf8) else {
            throw ShellError("no earlier session to resume in \(folder.path)")
        }
        return URL(fileURLWithPath: path.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

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
        let (shell, server) = try await ShellEntry.start(connection, resume: resume)
        if json { await shell.set("json", "on") }
        let status: Int32
        if let commands {
            status = await shell.run(commands, file: "<command line>", keepGoing: keepGoing ? true : nil)
        } else {
            let interactive = EditLineReader.isUsable
            let reader: any LineReader = interactive
                ? EditLineReader(program: "tcly", historyFile: SessionFiles.history.path,
                                 completer: Completer(registry: shell.registry, source: TranscodelyCompletion(shell: shell)))
                : PlainLineReader()
            status = await Repl(shell: shell, reader: reader, interactive: interactive).run()
        }
        await TranscodelyCommands.close(shell)
        try? await server?.shutdown()
        throw ExitCode(processStatus(status))
    }

    /// A shell over the configured connection and a new (or resumed) journaled session.
    static func start(_ connection: ConnectionOptions, resume: Bool) async throws -> (Shell<TranscodelyContext>, RunningServer?) {
        let (transport, server) = try await connection.connect()
        let session: ShellSession
        do {
            session = resume ? try await ShellSession.resume(from: try SessionFiles.last()) : try ShellSession(journal: try SessionFiles.newJournal())
        } catch let error as ShellError { fail(error.message) }
        if resume {
            let count = await session.jobs().count
            FileHandle.standardError.write(Data("tcly: resumed the last session: \(count) job(s)\n".utf8))
        }
        let context = TranscodelyContext(transport: transport, session: session)
        return (TranscodelyCommands.shell(context), server)
    }
}

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
            fail("cannot read \(file): no such file or not text", code: 2)
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
        let (shell, server) = try await ShellEntry.start(connection, resume: false)
        if json { await shell.set("json", "on") }
        let status = await shell.run(text, file: file, keepGoing: keepGoing ? true : nil)
        await TranscodelyCommands.close(shell)
        try? await server?.shutdown()
        throw ExitCode(processStatus(status))
    }
}

/// The process's exit status for a shell status: 0 when every command succeeded, 1 when one
/// failed (whatever its own status), 130 when interrupted. 2 stays for misuse of tcly itself.
func processStatus(_ status: Int32) -> Int32 {
    switch status {
    case 0: 0
    case 130: 130
    default: 1
    }
}
