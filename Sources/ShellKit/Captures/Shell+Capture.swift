import Foundation

extension Shell {
    /// Takes `--set NAME` (or `--set=NAME`) out of a command's arguments when the shell captures
    /// for it: the command prints a JSON answer with `--json` (`capturesJSON`) and does not declare
    /// a `--set` of its own. Returns the name, or nil when there is none to take. Words after `--`
    /// are the command's.
    static func captureName(taking arguments: inout [String], for type: any CommandDescription.Type) throws(ShellError) -> String? {
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        // `--help` prints help whatever else is given: nothing to capture.
        guard !arguments[..<end].contains(where: { $0 == "--help" || $0 == "-h" }) else { return nil }
        guard let at = arguments[..<end].firstIndex(where: { $0 == "--set" || $0.hasPrefix("--set=") }),
              type.takesSetFromShell else { return nil }
        let command = type.about.name
        let name: String
        if arguments[at] == "--set" {
            guard at + 1 < end, !arguments[at + 1].hasPrefix("-") else {
                throw ShellError("\(command): --set takes the name of the variable to capture the answer in: --set NAME", status: 2)
            }
            name = arguments[at + 1]
            arguments.removeSubrange(at...at + 1)
        } else {
            name = String(arguments[at].dropFirst("--set=".count))
            arguments.remove(at: at)
        }
        guard Parser.isName(name) else {
            throw ShellError("\(command): --set: \"\(name)\" is not a variable name; use letters, digits, _ and -", status: 2)
        }
        if arguments[..<(arguments.firstIndex(of: "--") ?? arguments.endIndex)].contains(where: { $0 == "--set" || $0.hasPrefix("--set=") }) {
            throw ShellError("\(command): --set is given twice; capture one answer in one variable", status: 2)
        }
        return name
    }

    /// Runs a command with `--json`, its standard output collected instead of printed, and stores
    /// the JSON it printed as the capture `name` (one document; several lines of JSON, as a
    /// `--json` that prints a line per change, become an array of them). A failing command
    /// captures nothing and its output is printed as usual.
    func runCapturing(_ type: any ShellCommand<Host>.Type, arguments: [String], into name: String,
                      command: ParsedCommand) async throws -> Int32 {
        var arguments = arguments
        if !arguments.contains("--json") { arguments.insert("--json", at: 0) }
        let capture = OutputCapture()
        let status: Int32
        do {
            status = try await ShellOutput.$capturing.withValue(capture) {
                try await type.invoke(arguments: arguments, in: self, command: command)
            }
        } catch {
            let text = capture.close()
            if !text.isEmpty { output.write(text) }
            throw error
        }
        let text = capture.close()
        let source = command.sourceLine.trimmingCharacters(in: .whitespaces)
        guard let value = Self.document(text) else {
            if !text.isEmpty { output.write(text) }
            let problem = text.isEmpty ? "printed nothing" : "did not print a JSON document"
            throw ShellError("\(type.about.name): --set \(name): the command \(problem) with --json; nothing was captured")
        }
        self.capture(name, value, source: source)
        return status
    }

    /// One JSON document, or lines that each hold one (as an array).
    static func document(_ text: String) -> JSONValue? {
        if let value = try? JSONValue(parsing: text) { return value }
        let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
        guard lines.count > 1 else { return nil }
        var items: [JSONValue] = []
        for line in lines {
            guard let item = try? JSONValue(parsing: String(line)) else { return nil }
            items.append(item)
        }
        return .array(items)
    }

    /// The value at `path`: in a capture, or in a variable whose text is a JSON object or array
    /// (a capture restored from a saved session is one). Errors name the path.
    func read(_ path: FieldPath, at location: SourceLocation) throws(ShellError) -> JSONValue {
        let root: JSONValue
        if let capture = captures[path.name] {
            root = capture.value
        } else if let text = variables[path.name] {
            guard let value = try? JSONValue(parsing: text), value.isContainer else {
                throw ShellError("${\(path)}: $\(path.name) is not a captured answer, so it has no fields; capture one with: COMMAND --set \(path.name)",
                                 location: location)
            }
            root = value
        } else {
            throw ShellError("${\(path)}: $\(path.name) is not set; capture an answer with: COMMAND --set \(path.name)", location: location)
        }
        do {
            return try path.resolve(in: root)
        } catch {
            throw ShellError("${\(path)}: \(error.message)", location: location)
        }
    }
}

extension JSONValue {
    /// An object or an array: a value with fields or elements.
    var isContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }
}
