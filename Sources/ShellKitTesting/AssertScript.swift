import ShellKit
import Testing

/// What a script printed, as a test reads it.
public struct ScriptRun: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String
}

/// Runs `script` in a fresh shell with the host's `commands` (and the builtins) and returns what
/// it printed: tests of a host's commands read like transcripts.
public func runScript(_ script: String, commands: [any ShellCommand.Type] = [], host: any Sendable = (),
                      file: String = "test.tcly", keepGoing: Bool? = nil) async -> ScriptRun {
    let (output, transcript) = ShellOutput.capture()
    let shell = Shell(registry: CommandRegistry(commands), output: output, host: host)
    let status = await shell.run(script, file: file, keepGoing: keepGoing)
    return ScriptRun(status: status, output: transcript.output, errors: transcript.errors)
}

/// Runs `script` and records a test issue, at the caller's line, for every part of the transcript
/// that differs from what is expected (nil: not checked).
public func assertScript(_ script: String, commands: [any ShellCommand.Type] = [], host: any Sendable = (),
                         prints output: String? = nil, errors: String? = nil, status: Int32 = 0,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
    let run = await runScript(script, commands: commands, host: host)
    #expect(run.status == status, "status", sourceLocation: sourceLocation)
    if let output { #expect(run.output == output, sourceLocation: sourceLocation) }
    if let errors { #expect(run.errors == errors, sourceLocation: sourceLocation) }
}
