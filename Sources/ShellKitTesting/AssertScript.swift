import Foundation
import ShellKit
import Testing

/// What a script printed, as a test reads it.
public struct ScriptRun: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String
}

/// Runs `script` in a fresh shell with the host's `commands` (and the builtins) over `host` and
/// returns what it printed: tests of a host's commands read like transcripts.
public func runScript<Host: Sendable>(_ script: String, commands: [any ShellCommand<Host>.Type], host: Host,
                                      file: String = "test.script", keepGoing: Bool? = nil) async -> ScriptRun {
    let (output, transcript) = ShellOutput.capture()
    let shell = Shell(registry: CommandRegistry(commands), output: output, host: host)
    return await runScript(script, in: shell, transcript: transcript, file: file, keepGoing: keepGoing)
}

/// `runScript` for commands that need no host state.
public func runScript(_ script: String, commands: [any ShellCommand<Void>.Type] = [],
                      file: String = "test.script", keepGoing: Bool? = nil) async -> ScriptRun {
    await runScript(script, commands: commands, host: (), file: file, keepGoing: keepGoing)
}

/// Runs `script` inside an existing shell (its variables and host state stay) whose output goes
/// to `transcript` (`ShellOutput.capture()`), and returns what this script printed.
public func runScript<Host: Sendable>(_ script: String, in shell: Shell<Host>, transcript: Transcript,
                                      file: String = "test.script", keepGoing: Bool? = nil) async -> ScriptRun {
    let before = (transcript.output.utf8.count, transcript.errors.utf8.count)
    let status = await shell.run(script, file: file, keepGoing: keepGoing)
    return ScriptRun(status: status, output: String(decoding: transcript.output.utf8.dropFirst(before.0), as: UTF8.self),
                     errors: String(decoding: transcript.errors.utf8.dropFirst(before.1), as: UTF8.self))
}

/// Runs `script` in a fresh shell and records a test issue, at the caller's line, for every part
/// of the transcript that differs from what is expected (nil: not checked). In `prints` and
/// `errors`, `…` stands for any text within a line, unless `exactly`.
public func assertScript<Host: Sendable>(_ script: String, commands: [any ShellCommand<Host>.Type], host: Host,
                                         prints output: String? = nil, errors: String? = nil, status: Int32 = 0,
                                         exactly: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
    let run = await runScript(script, commands: commands, host: host)
    check(run, prints: output, errors: errors, status: status, exactly: exactly, sourceLocation: sourceLocation)
}

/// `assertScript` for commands that need no host state.
public func assertScript(_ script: String, commands: [any ShellCommand<Void>.Type] = [],
                         prints output: String? = nil, errors: String? = nil, status: Int32 = 0,
                         exactly: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
    await assertScript(script, commands: commands, host: (), prints: output, errors: errors, status: status,
                       exactly: exactly, sourceLocation: sourceLocation)
}

/// Runs `script` inside an existing shell (a host's test fixture: its engine, session and
/// variables stay from one script to the next) and checks what this script printed. In `prints`
/// and `errors`, `…` stands for any text within a line (a generated id), unless `exactly`.
/// Returns the run, for a test that reads a value out of it.
@discardableResult
public func assertScript<Host: Sendable>(_ script: String, in shell: Shell<Host>, transcript: Transcript,
                                         file: String = "test.script", prints output: String? = nil,
                                         errors: String? = nil, status: Int32 = 0, exactly: Bool = false,
                                         sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> ScriptRun {
    let run = await runScript(script, in: shell, transcript: transcript, file: file)
    check(run, prints: output, errors: errors, status: status, exactly: exactly, sourceLocation: sourceLocation)
    return run
}

private func check(_ run: ScriptRun, prints output: String?, errors: String?, status: Int32, exactly: Bool,
                   sourceLocation: Testing.SourceLocation) {
    #expect(run.status == status, "status; errors: \(run.errors)", sourceLocation: sourceLocation)
    if let output {
        #expect(TranscriptPattern(output, exactly: exactly).matches(run.output),
                "output:\n\(run.output)\nexpected:\n\(output)", sourceLocation: sourceLocation)
    }
    if let errors {
        #expect(TranscriptPattern(errors, exactly: exactly).matches(run.errors),
                "errors:\n\(run.errors)\nexpected:\n\(errors)", sourceLocation: sourceLocation)
    }
}
