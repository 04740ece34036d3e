import Foundation
import Synchronization

/// Values a host knows for its commands' arguments: record ids, names, remote paths, files.
public protocol CompletionSource: Sendable {
    /// Candidates for `command`'s value of `option` (nil: a positional argument) starting with `prefix`.
    func values(command: String, option: String?, prefix: String) async -> [String]

    /// The word at the cursor and its candidates, when the host reads this command's line itself
    /// (a JSON body being typed, whose words are not the shell's); nil to complete it as usual.
    /// `line` is the command from its name to the cursor.
    func complete(line: String, command: String) async -> (word: String, candidates: [String])?
}

extension CompletionSource {
    public func complete(line: String, command: String) async -> (word: String, candidates: [String])? { nil }
}

/// What can follow the words typed so far: command names first, then the command's flags (for a
/// word starting with `-`), then the values the host knows for an option or an argument.
public struct Completer: Sendable {
    /// The commands it completes, whatever their host.
    public let commands: [any CommandDescription.Type]
    public let source: (any CompletionSource)?

    /// Completes `registry`'s commands (any host's), with `source` for their values.
    public init<Host>(registry: CommandRegistry<Host>, source: (any CompletionSource)?) {
        commands = registry.descriptions
        self.source = source
    }

    /// The word being completed and its candidates, sorted.
    public func complete(_ line: String) async -> (word: String, candidates: [String]) {
        let command = line.split(separator: ";", omittingEmptySubsequences: false).last.map(String.init) ?? line
        let words = command.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let endsInSpace = command.last == " " || command.isEmpty
        let word = endsInSpace ? "" : (words.last ?? "")
        let before = endsInSpace ? words : Array(words.dropLast())
        guard let name = before.first else {
            return (word, CommandNames.all(commands).filter { $0.hasPrefix(word) })
        }
        guard let type = commands.first(where: { $0.about.name == name || $0.about.aliases.contains(name) }) else {
            return (word, [])
        }
        if let custom = await source?.complete(line: command, command: type.about.name) {
            return (custom.word, Array(Set(custom.candidates.filter { $0.hasPrefix(custom.word) })).sorted())
        }
        if word.hasPrefix("-") {
            let flags = type.flagNames + (type.takesSetFromShell ? ["--set"] : [])
            return (word, flags.filter { $0.hasPrefix(word) }.sorted())
        }
        let previous = before.count > 1 ? before.last : nil
        if previous == "--set", type.takesSetFromShell { return (word, []) }
        let option = previous.flatMap { type.optionNames.contains($0) ? $0 : nil }
        let values = await source?.values(command: type.about.name, option: option, prefix: word) ?? []
        return (word, Array(Set(values.filter { $0.hasPrefix(word) })).sorted())
    }

    /// The longest prefix all candidates share.
    public static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first else { return "" }
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Runs async work from a thread that is not one of Swift concurrency's (libedit's callback).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            box.set(await body())
            done.signal()
        }
        done.wait()
        return box.get()!
    }
}
