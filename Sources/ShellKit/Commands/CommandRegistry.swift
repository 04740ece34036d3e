import ArgumentParser

/// The commands a shell knows, by name: what a host fills with its own commands.
public struct CommandRegistry: Sendable {
    public private(set) var commands: [any ShellCommand.Type] = []

    public init(_ commands: [any ShellCommand.Type] = []) {
        for command in commands { register(command) }
    }

    /// Adds a command; a later one with the same name replaces the earlier.
    public mutating func register(_ command: any ShellCommand.Type) {
        commands.removeAll { $0.about.name == command.about.name }
        commands.append(command)
    }

    /// The command `name` runs (its name or an alias).
    public func command(named name: String) -> (any ShellCommand.Type)? {
        commands.first { $0.about.name == name || $0.about.aliases.contains(name) }
    }

    /// Names and aliases, sorted: for completion and "did you mean".
    public var names: [String] {
        commands.flatMap { [$0.about.name] + $0.about.aliases }.sorted()
    }

    /// The known name closest to `name` (edit distance ≤ 2), for "did you mean".
    public func suggestion(for name: String) -> String? {
        names.map { ($0, Self.distance($0, name)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
