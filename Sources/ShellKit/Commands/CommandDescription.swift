import ArgumentParser
import Foundation

/// What a shell knows of a command without running it: its name and help, how it parses, the
/// flags completion offers. Every `ShellCommand` is one, whatever its host.
public protocol CommandDescription: ParsableArguments, Sendable {
    /// How `help` lists the command.
    static var about: CommandAbout { get }

    /// The command from plain words without swift-argument-parser, for commands that take only
    /// positional words (`set`, `echo`): parsing costs a hundred microseconds a command, which a
    /// long script of cheap commands feels. Nil means "parse as usual" (the default).
    static func quickParse(_ arguments: [String]) -> Self?

    /// Whether `--set NAME` captures the command's answer: the shell runs it with `--json` and
    /// keeps the JSON it prints in `NAME` (`${NAME.a[0].b}` reads its fields). The default: the
    /// command declares a `--json` flag, so every command with a JSON answer has it, unwritten.
    static var capturesJSON: Bool { get }
}

extension CommandDescription {
    public static func quickParse(_ arguments: [String]) -> Self? { nil }

    public static var capturesJSON: Bool { flagNames.contains("--json") }

    /// Whether the shell takes `--set NAME` for this command (it captures, and declares no `--set`).
    public static var takesSetFromShell: Bool { capturesJSON && !flagNames.contains("--set") }

    /// The command from its words as the shell reads them, or the error the shell shows for them
    /// (`name: problem (name --help shows its usage)`, status 2): also for a host that checks a
    /// value as a command would (a `VariableObserver` mirroring that command).
    public static func parse(words arguments: [String]) throws(ShellError) -> Self {
        do {
            return try quickParse(arguments) ?? parse(arguments)
        } catch {
            let message = self.message(for: error).replacingOccurrences(of: "Error: ", with: "")
            throw ShellError("\(about.name): \(message) (\(about.name) --help shows its usage)", status: 2)
        }
    }
}

extension CommandDescription {
    /// The long flags and options the command declares (`--concurrency`), its option groups'
    /// included, for completion: as swift-argument-parser describes the command.
    public static var flagNames: [String] {
        longNames(of: ["option", "flag"]).filter { $0 != "--help" } + ["--help"]
    }

    /// The long options that take a value (`--output`), for completing their values.
    public static var optionNames: [String] { longNames(of: ["option"]) }

    /// The long names of the arguments of these kinds, in the order they are declared. Read from
    /// `_dumpHelp()` (the JSON `--experimental-dump-help` prints): reflection on the type cannot see
    /// inside an `@OptionGroup` before parsing, and this description includes its options.
    private static func longNames(of kinds: Set<String>) -> [String] {
        guard let document = try? JSONSerialization.jsonObject(with: Data(_dumpHelp().utf8)) as? [String: Any],
              let command = document["command"] as? [String: Any],
              let arguments = command["arguments"] as? [[String: Any]] else { return [] }
        return arguments.flatMap { argument -> [String] in
            guard let kind = argument["kind"] as? String, kinds.contains(kind),
                  let names = argument["names"] as? [[String: Any]] else { return [] }
            return names.compactMap { name in
                name["kind"] as? String == "long" ? (name["name"] as? String).map { "--" + $0 } : nil
            }
        }
    }
}

extension CommandDescription {
    /// `help NAME`: summary, usage and an example.
    public static var fullHelp: String {
        // swift-argument-parser names the usage after the type (`submit_command`): the shell says the name users type.
        let usage = helpMessage(columns: 100).replacingOccurrences(of: #"USAGE: \S+"#, with: "usage: \(about.name)",
                                                                    options: .regularExpression)
        let capture = takesSetFromShell
            ? "\n  --set <name>            Keep the --json answer in $name; read its fields as ${name.field[0].field}." : ""
        return "\(about.name) — \(about.summary)\n\n\(usage)\(capture)\n\nexample:\n  \(about.example)"
    }
}
