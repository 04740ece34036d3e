import Foundation
import ArgumentParser

/// A command of the shell. A host program registers its commands as data (a list of types, as
/// Lua hosts register `luaL_Reg` tables); each declares its options once, with
/// swift-argument-parser, and gets `--help`, validation messages and completion data from that.
public protocol ShellCommand: ParsableArguments, Sendable {
    /// How `help` lists the command.
    static var about: CommandAbout { get }

    /// Runs the command. Throw `ShellError` (or any error) to fail it; print through `shell.output`.
    mutating func run(in shell: Shell) async throws

    /// The command from plain words without swift-argument-parser, for commands that take only
    /// positional words (`set`, `echo`): parsing costs a hundred microseconds a command, which a
    /// long script of cheap commands feels. Nil means "parse as usual" (the default).
    static func quickParse(_ arguments: [String]) -> Self?
}

extension ShellCommand {
    public static func quickParse(_ arguments: [String]) -> Self? { nil }
}

/// A command's name and help.
public struct CommandAbout: Sendable {
    public var name: String
    /// The heading `help` lists it under ("Jobs", "Session", …).
    public var group: String
    public var summary: String
    /// One line a user can type, shown by `help NAME`.
    public var example: String
    /// Other names that run it.
    public var aliases: [String]

    public init(name: String, group: String, summary: String, example: String, aliases: [String] = []) {
        self.name = name
        self.group = group
        self.summary = summary
        self.example = example
        self.aliases = aliases
    }
}

extension ShellCommand {
    /// The long flags the command declares (`--concurrency`), for completion: read from its
    /// option and flag properties, named as swift-argument-parser names them by default.
    public static var flagNames: [String] {
        Mirror(reflecting: Self()).children.compactMap { child in
            guard let label = child.label, label.hasPrefix("_") else { return nil }
            let type = String(describing: Swift.type(of: child.value))
            guard type.hasPrefix("Option<") || type.hasPrefix("Flag<") else { return nil }
            return "--" + Self.kebab(String(label.dropFirst()))
        } + ["--help"]
    }

    /// The long options that take a value (`--output`), for completing their values.
    public static var optionNames: [String] {
        Mirror(reflecting: Self()).children.compactMap { child in
            guard let label = child.label, label.hasPrefix("_"),
                  String(describing: Swift.type(of: child.value)).hasPrefix("Option<") else { return nil }
            return "--" + Self.kebab(String(label.dropFirst()))
        }
    }

    static func kebab(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out += "-" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}

extension ShellCommand {
    /// `help NAME`: summary, usage and an example.
    public static var fullHelp: String {
        let usage = helpMessage(columns: 100).replacingOccurrences(of: "USAGE: ", with: "usage: \(about.name) ")
        return "\(about.name) — \(about.summary)\n\n\(usage)\n\nexample:\n  \(about.example)"
    }

    /// Parses `arguments` into the command and runs it; `--help` prints its help instead.
    static func invoke(arguments: [String], in shell: Shell, command: ParsedCommand) async throws -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            shell.output.line(fullHelp)
            return 0
        }
        var instance: Self
        do {
            instance = try quickParse(arguments) ?? parse(arguments)
        } catch {
            let message = self.message(for: error).replacingOccurrences(of: "Error: ", with: "")
            throw ShellError("\(about.name): \(message) (\(about.name) --help shows its usage)",
                             location: command.location, sourceLine: command.sourceLine, status: 2)
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
