import ArgumentParser
import Foundation

extension Shell {
    /// The commands every shell has; a host may replace any of them.
    static var builtins: [any ShellCommand<Host>.Type] {
        [SetCommand<Host>.self, UnsetCommand<Host>.self, EchoCommand<Host>.self, HelpCommand<Host>.self,
         HistoryCommand<Host>.self, ExitCommand<Host>.self, SourceCommand<Host>.self]
    }
}

/// `set NAME VALUE`, or `set` alone to list the variables (a capture as its JSON cut to one line,
/// with the command that answered it).
struct SetCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "set", group: "Shell", summary: "set a variable, or list them all",
                                    example: "set name world") }
    @Argument var name: String?
    @Argument var value: String?

    static func quickParse(_ arguments: [String]) -> Self? {
        guard arguments.count == 2, !arguments[0].hasPrefix("-"), !arguments[1].hasPrefix("-") else { return nil }
        var command = Self()
        command.name = arguments[0]
        command.value = arguments[1]
        return command
    }

    mutating func run(in shell: Shell<Host>) async throws {
        guard let name else {
            let captures = await shell.captures
            for (key, value) in await shell.variables.sorted(by: { $0.key < $1.key }) {
                if let capture = captures[key] {
                    shell.output.line("\(key)=\(Self.abridged(capture.value.compact, 72))  # --set by: \(Self.abridged(capture.source, 48))")
                } else {
                    shell.output.line("\(key)=\(value)")
                }
            }
            return
        }
        guard Parser.isName(name) else {
            throw ShellError("set: \"\(name)\" is not a variable name; use letters, digits, _ and -", status: 2)
        }
        guard let value else { throw ShellError("set: no value for \(name); give one: set \(name) VALUE", status: 2) }
        try await shell.assign(name, value)
    }
}

extension SetCommand {
    /// `text` cut to `limit` characters, `…` marking the cut: a capture listed on one line.
    static func abridged(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// `unset NAME`.
struct UnsetCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "unset", group: "Shell", summary: "forget a variable", example: "unset name") }
    @Argument var name: String

    static func quickParse(_ arguments: [String]) -> Self? {
        guard arguments.count == 1, !arguments[0].hasPrefix("-") else { return nil }
        var command = Self()
        command.name = arguments[0]
        return command
    }

    mutating func run(in shell: Shell<Host>) async throws { await shell.unset(name) }
}

/// `echo WORDS...`.
struct EchoCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "echo", group: "Shell", summary: "print its words", example: "echo status: $status") }
    @Argument(parsing: .allUnrecognized) var words: [String] = []

    static func quickParse(_ arguments: [String]) -> Self? {
        var command = Self()
        command.words = arguments
        return command
    }

    mutating func run(in shell: Shell<Host>) async throws { shell.output.line(words.joined(separator: " ")) }
}

/// `help` lists the commands by group; `help NAME` shows one.
struct HelpCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "help", group: "Shell", summary: "list the commands, or show one", example: "help set") }
    @Argument var command: String?

    mutating func run(in shell: Shell<Host>) async throws {
        if let command {
            guard let type = shell.registry.command(named: command) else {
                let hint = shell.registry.suggestion(for: command).map { "; did you mean \($0)?" } ?? ""
                throw ShellError("help: no command \"\(command)\"\(hint)", status: 2)
            }
            shell.output.line(type.fullHelp)
            return
        }
        let abouts: [CommandAbout] = shell.registry.commands.map { $0.about }
        let width = abouts.map(\.name.count).max() ?? 8
        for group in Set(abouts.map(\.group)).sorted(by: Self.order) {
            shell.output.line("\(group):")
            for about in abouts.filter({ $0.group == group }).sorted(by: { $0.name < $1.name }) {
                shell.output.line("  " + about.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + about.summary)
            }
        }
        shell.output.line("help NAME shows a command's options and an example.")
    }

    /// The shell's own group last.
    static func order(_ a: String, _ b: String) -> Bool {
        (a == "Shell" ? 1 : 0, a) < (b == "Shell" ? 1 : 0, b)
    }
}

/// `history`: the commands run in this session, redacted as the history file is.
struct HistoryCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "history", group: "Shell", summary: "the commands run in this session", example: "history") }

    mutating func run(in shell: Shell<Host>) async throws {
        // As the history file keeps them: a credential the host names is shown as ***.
        for (index, line) in await shell.log.enumerated() { shell.output.line("\(index + 1)  \(shell.profile.redaction.redact(line))") }
    }
}

/// `exit [STATUS]`.
struct ExitCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "exit", group: "Shell", summary: "leave the shell", example: "exit", aliases: ["quit"]) }
    @Argument var status: Int32 = 0

    mutating func run(in shell: Shell<Host>) async throws { await shell.requestExit(status) }
}

/// `source FILE`: runs a script inside this session (its variables and state stay).
struct SourceCommand<Host: Sendable>: ShellCommand {
    static var about: CommandAbout { CommandAbout(name: "source", group: "Shell", summary: "run a script inside this session",
                                    example: "source setup.script", aliases: ["replay"]) }
    @Argument var file: String
    @Flag var keepGoing = false

    mutating func run(in shell: Shell<Host>) async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ShellError("source: cannot read \(file): no such file or not text", status: 1)
        }
        let status = await shell.run(text, file: file, keepGoing: keepGoing ? true : nil)
        if status != 0 { throw ShellError("source: \(file) stopped with status \(status)", status: status) }
    }
}
