import Foundation
import ShellKit
import ShellKitTesting
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import TranscodelyShell
import Timekeeping
import TranscodelyTestSupport

/// A real engine (simulate encoder) on loopback and a shell talking to it over HTTP, with its
/// output captured: tests read like transcripts.
struct ShellFixture {
    let data: TemporaryDirectory
    let local: LocalEngine
    let context: TranscodelyContext
    let shell: Shell<TranscodelyContext>
    let transcript: Transcript
    let journal: URL

    /// The engine's HTTP server.
    var server: RunningServer { local.server }

    /// `encoder`: the engine's encoder when not the simulated one of `spec` (real ffmpeg for `why`);
    /// `clock`: what the engine and the shell wait on and stamp with (a `TestClock`'s source to
    /// drive both from the test).
    init(spec: String = "probe=0,encode=0.1,fail=0", journal: URL? = nil, tier: Tier = .standard,
         encoder: LocalEngine.EncoderChoice? = nil, clock: TimeSource = .system) async throws {
        data = try TemporaryDirectory("shell")
        var configuration = LocalEngine.Configuration(dataDirectory: data.url)
        configuration.encoder = try encoder ?? .simulate(try SimulatedEncoder.Spec(parsing: spec))
        configuration.workers = 8
        configuration.tier = tier
        configuration.clock = clock
        configuration.apps = .fixed([.init(organizationID: "org_shell", name: "shell", key: "tk_shell_tests_0001")])
        self.journal = journal ?? data.url.appendingPathComponent("state/session.jsonl")
        let session = try ShellSession(journal: self.journal)
        // Last of what can throw: nothing started is left running when an earlier step fails.
        do { local = try await LocalEngine.start(configuration) } catch {
            data.remove()
            throw error
        }
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: local.baseURL, apiKey: APIKey("tk_shell_tests_0001"), organizationID: "org_shell"))
        context = TranscodelyContext(transport: transport, session: session, clock: clock)
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

    /// Stops the engine (awaited) and removes its data; `withShellFixture` calls it.
    func stop() async {
        try? await local.stop()
        data.remove()
    }
}

/// Runs `body` with a fresh ``ShellFixture`` and always stops it (awaited), also when `body` throws.
func withShellFixture<Result>(spec: String = "probe=0,encode=0.1,fail=0", journal: URL? = nil, tier: Tier = .standard,
                              encoder: LocalEngine.EncoderChoice? = nil, clock: TimeSource = .system,
                              _ body: (ShellFixture) async throws -> Result) async throws -> Result {
    try await scoped(try await ShellFixture(spec: spec, journal: journal, tier: tier, encoder: encoder, clock: clock),
                     stop: { await $0.stop() }, body)
}
