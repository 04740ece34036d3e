import ArgumentParser

/// The commands a shell of `Host` knows, by name: what a host fills with its own commands. Only
/// commands written for `Host` fit (the builtins fit every host).
public struct CommandRegistry<Host: Sendable>: Sendable {
    public private(set) var commands: [any ShellCommand<Host>.Type] = []

    public init(_ commands: [any ShellCommand<Host>.Type] = []) {
        for command in commands { register(command) }
    }

    /// Adds a command; a later one with the same name replaces the earlier.
    public mutating func register(_ command: any ShellCommand<Host>.Type) {
        commands.removeAll { $0.about.name == command.about.name }
        commands.append(command)
    }

    /// The command `name` runs (its name or an alias).
    public func command(named name: String) -> (any ShellCommand<Host>.Type)? {
        commands.first { $0.about.name == name || $0.about.aliases.contains(name) }
    }

    /// What completion and `help` read of the commands, whatever their host.
    public var descriptions: [any CommandDescription.Type] { commands.map { $0 } }

    /// Names and aliases, sorted: for completion and "did you mean".
    public var names: [String] { CommandNames.all(descriptions) }

    /// The known name closest to `name` (edit distance ≤ 2), for "did you mean".
    public func suggestion(for name: String) -> String? { CommandNames.suggestion(for: name, among: names) }
}
