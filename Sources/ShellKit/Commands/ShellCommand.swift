import Foundation
import ArgumentParser

/// A command of the shell. A host program registers its commands as data (a list of types, as
/// Lua hosts register `luaL_Reg` tables); each declares its options once, with
/// swift-argument-parser, and gets `--help`, validation messages and completion data from that.
///
/// `Host` is the state the host program hands its commands (its clients, its session), and a
/// command runs in a `Shell<Host>`, so `shell.host` is that state with its own type: a command
/// written for one host cannot be registered into a shell of another, and the compiler, not a
/// cast at run time, says so. The alternative, an untyped `run(in:)` plus an associated type
/// unwrapped at dispatch, keeps `Shell` unparameterised but moves that check back to run time;
/// one type parameter on `Shell` is the smaller price. Host-free commands (the builtins) are
/// generic over `Host` and fit every shell.
public protocol ShellCommand<Host>: CommandDescription {
    /// The host state this command reads (`Void` for a host that has none).
    associatedtype Host: Sendable

    /// Runs the command. Throw `ShellError` (or any error) to fail it; print through `shell.output`.
    mutating func run(in shell: Shell<Host>) async throws
}

extension ShellCommand {
    /// Parses `arguments` into the command and runs it; `--help` prints its help instead.
    static func invoke(arguments: [String], in shell: Shell<Host>, command: ParsedCommand) async throws -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            shell.output.line(fullHelp)
            return 0
        }
        var instance: Self
        do {
            instance = try parse(words: arguments)
        } catch {
            var error = error
            error.location = command.location
            error.sourceLine = command.sourceLine
            throw error
        }
        if let input = command.input {
            let parsed = instance
            try await CommandInput.$current.withValue(input) {
                var instance = parsed
                try await instance.run(in: shell)
            }
        } else {
            try await instance.run(in: shell)
        }
        return 0
    }
}
