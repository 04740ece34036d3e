import ArgumentParser
import Foundation

/// Runs the language: parses a script or a typed line, expands variables, finds each command in
/// the registry, parses its options and runs it, keeping `$status`. Scripts stop at the first
/// failing command unless `keep-going` is on. Knows nothing of what its commands do: a host adds
/// its own commands and its own state (`host`), typed: `Shell<Host>` runs only commands written
/// for `Host` (see `ShellCommand`), so a command reads `shell.host` without a cast.
public actor Shell<Host: Sendable> {
    public nonisolated let registry: CommandRegistry<Host>
    public nonisolated let output: ShellOutput
    /// The host program's state, for its commands.
    public nonisolated let host: Host
    /// What the host says of itself: prompt, history redaction, hints in errors.
    public nonisolated let profile: ShellProfile
    private(set) public var variables: [String: String] = [:]
    /// The answers captured with `--set NAME`, by name (their text is in `variables` too).
    private(set) public var captures: [String: Capture] = [:]
    /// Every command line run successfully, in order (what `history` shows and a host can save).
    private(set) public var log: [String] = []
    /// Set by `exit`: the REPL stops after the current command.
    public private(set) var exitRequested: Int32?
    /// Called after every command with its source line and status (a host journals it).
    private var observer: (@Sendable (String, Int32) async -> Void)?
    /// What the host does when a user sets one of its variables, by name.
    private let variableObservers: [String: VariableObserver<Host>]

    /// A shell running `registry`'s commands (and the builtins it does not replace) over `host`.
    public init(registry: CommandRegistry<Host>, output: ShellOutput = .standard, host: Host,
                profile: ShellProfile = ShellProfile(), observers: [VariableObserver<Host>] = []) {
        var registry = registry
        for builtin in Self.builtins where registry.command(named: builtin.about.name) == nil {
            registry.register(builtin)
        }
        self.registry = registry
        self.output = output
        self.host = host
        self.profile = profile
        variableObservers = Dictionary(observers.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        variables["status"] = "0"
    }

    /// Sets what is called after every command (its source line and status).
    public func observe(_ body: @escaping @Sendable (String, Int32) async -> Void) { observer = body }

    // MARK: - Variables

    /// Stores a variable, as the host keeps `$last`: no observer runs.
    public func set(_ name: String, _ value: String) {
        variables[name] = value
        captures[name] = nil
    }

    /// Stores a captured answer under `name` (what `--set NAME` does): `$NAME` is its compact
    /// JSON, `${NAME.a[0].b}` reads its fields. `source` is the command line that answered it.
    public func capture(_ name: String, _ value: JSONValue, source: String) {
        variables[name] = value.compact
        captures[name] = Capture(value: value, source: source)
    }

    /// Sets a variable as `set NAME VALUE` does: the host's observer of `name`, if any, sees the
    /// value first and may refuse it (its error is the command's), and acts on it before this
    /// returns, so two `set`s in a row take effect in their order.
    public func assign(_ name: String, _ value: String) async throws {
        if let observer = variableObservers[name] { try await observer.body(value, self) }
        variables[name] = value
        captures[name] = nil
    }

    public func unset(_ name: String) {
        variables[name] = nil
        captures[name] = nil
    }
    public func variable(_ name: String) -> String? { variables[name] }

    /// `json`: whether commands that print answer with JSON even without `--json` (a host's
    /// `--json` flag sets it).
    public var wantsJSON: Bool { ["on", "true", "1", "yes"].contains(variables["json"] ?? "off") }

    /// `keep-going`: whether scripts go on after a failing command.
    public var keepGoing: Bool { ["on", "true", "1", "yes"].contains(variables["keep-going"] ?? "off") }

    func requestExit(_ status: Int32) { exitRequested = status }

    // MARK: - Running

    /// Runs a script or typed text. Returns 0 when every command succeeded; otherwise the status of
    /// the last failure. Errors are printed with file:line:column.
    @discardableResult
    public func run(_ text: String, file: String = "<command line>", keepGoing: Bool? = nil, firstLine: Int = 1) async -> Int32 {
        let commands: [ParsedCommand]
        do {
            commands = try Parser(file: file, longLineHint: profile.longLineHint).parse(text, firstLine: firstLine)
        } catch {
            return report(ShellError(error))
        }
        var worst: Int32 = 0
        for command in commands {
            if exitRequested != nil { break }
            if Task.isCancelled { return 130 }
            let status = await execute(command)
            if status != 0 {
                worst = status
                if !(keepGoing ?? self.keepGoing) { break }
            }
        }
        return worst
    }

    /// Runs one parsed command; returns its exit status.
    public func execute(_ command: ParsedCommand) async -> Int32 {
        let status: Int32
        do {
            let words = try command.words.map(expand)
            status = try await dispatch(words, command: command)
        } catch where Task.isCancelled || error is CancellationError {
            // Whatever a command's libraries make of a cancellation (a wrapped error, a failed
            // call), Ctrl-C is what happened.
            output.error("interrupted")
            status = 130
        } catch let error as ShellError {
            var error = error
            if error.location == nil { error.location = command.location }
            if error.sourceLine == nil { error.sourceLine = command.sourceLine }
            status = report(error)
        } catch {
            status = report(ShellError("\(error)", location: command.location, sourceLine: command.sourceLine))
        }
        variables["status"] = String(status)
        if status == 0 { log.append(command.sourceLine.trimmingCharacters(in: .whitespaces)) }
        await observer?(command.sourceLine, status)
        return status
    }

    private func dispatch(_ words: [String], command: ParsedCommand) async throws -> Int32 {
        guard let name = words.first else { return 0 }
        guard let type = registry.command(named: name) else {
            let hint = registry.suggestion(for: name).map { "; did you mean \($0)?" } ?? ""
            throw ShellError("unknown command \"\(name)\"\(hint) (help lists the commands)",
                             location: command.words[0].location, sourceLine: command.sourceLine, status: 2)
        }
        var arguments = Array(words.dropFirst())
        if let name = try Self.captureName(taking: &arguments, for: type) {
            return try await runCapturing(type, arguments: arguments, into: name, command: command)
        }
        return try await type.invoke(arguments: arguments, in: self, command: command)
    }

    private func expand(_ word: Word) throws -> String {
        var out = ""
        for part in word.parts {
            switch part {
            case let .text(text): out += text
            case let .variable(name, location):
                guard let value = variables[name] else {
                    throw ShellError("$\(name) is not set; set it with: set \(name) VALUE", location: location)
                }
                out += value
            case let .field(path, location):
                out += try read(path, at: location).text
            }
        }
        return out
    }

    /// Prints an error and returns its status.
    @discardableResult
    func report(_ error: ShellError) -> Int32 {
        output.error(output.paint("error:", 31) + " " + error.description)
        return error.status
    }
}

extension Shell where Host == Void {
    /// A shell whose commands need no host state.
    public init(registry: CommandRegistry<Void> = CommandRegistry(), output: ShellOutput = .standard,
                profile: ShellProfile = ShellProfile()) {
        self.init(registry: registry, output: output, host: (), profile: profile)
    }
}
