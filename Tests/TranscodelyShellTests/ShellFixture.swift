import Foundation
import ShellKit
import ShellKitTesting
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import TranscodelyShell
import TranscodelyTestSupport

/// A real engine (simulate encoder) on loopback and a shell talking to it over HTTP, with its
/// output captured: tests read like transcripts.
struct ShellFixture {
    let data: TemporaryDirectory
    let server: RunningServer
    let context: TranscodelyContext
    let shell: Shell<TranscodelyContext>
    let transcript: Transcript
    let journal: URL

    init(spec: String = "probe=0,encode=0.1,fail=0", journal: URL? = nil, tier: Tier = .standard) async throws {
        data = try TemporaryDirectory("shell")
        var configuration = Engine.Configuration(dataDirectory: data.url)
        configuration.encoder = SimulatedEncoder(spec: try SimulatedEncoder.Spec(parsing: spec))
        configuration.workers = 8
        configuration.webhooks.retryScale = 0.01
        let engine = try Engine(configuration)
        _ = try await engine.store.createApp(orgID: "org_shell", name: "shell", tier: tier, key: "tk_shell_tests_0001")
        server = try await RunningServer.start(TranscodelyHTTPServer(engine: engine, host: "127.0.0.1", port: 0))
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: server.baseURL, apiKey: APIKey("tk_shell_tests_0001"), organizationID: "org_shell"))
        self.journal = journal ?? data.url.appendingPathComponent("state/session.jsonl")
        context = TranscodelyContext(transport: transport, session: try ShellSession(journal: self.journal))
        let (output, transcript) = ShellOutput.capture()
        self.transcript = transcript
        shell = TranscodelyCommands.shell(context, output: output)
    }

    /// Writes input files into the local input origin.
    func inputs(_ names: [String]) throws {
        for name in names { try data.write("origins/input/\(name)", "media") }
    }

    /// Runs a script; returns its status, and what it printed since the last call.
    func run(_ script: String, file: String = "t.tcly") async -> (Int32, String, String) {
        let before = (transcript.output.count, transcript.errors.count)
        let status = await shell.run(script, file: file)
        return (status, String(transcript.output.dropFirst(before.0)), String(transcript.errors.dropFirst(before.1)))
    }

    /// Runs a script in this fixture's shell (its session and variables stay) and checks its
    /// transcript, `…` standing for any text within a line (see `assertScript`).
    @discardableResult
    func assert(_ script: String, prints output: String? = nil, errors: String? = nil, status: Int32 = 0,
                exactly: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> ScriptRun {
        await assertScript(script, in: shell, transcript: transcript, file: "t.tcly", prints: output, errors: errors,
                           status: status, exactly: exactly, sourceLocation: sourceLocation)
    }

    func stop() async {
        try? await server.shutdown()
        data.remove()
    }
}
