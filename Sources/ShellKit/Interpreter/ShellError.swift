/// A failure the shell reports: what was wrong and what to do, with where it happened in a script
/// (file:line:column and the line with a caret) when it came from one.
public struct ShellError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?
    /// The source line, shown under the message with a caret at the column.
    public var sourceLine: String?
    /// The exit status the failing command reports (1 for a failed command, 2 for misuse).
    public var status: Int32

    public init(_ message: String, location: SourceLocation? = nil, sourceLine: String? = nil, status: Int32 = 1) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
        self.status = status
    }

    /// `file:line:column: message`, then the line and a caret under the column.
    public var description: String {
        guard let location else { return message }
        var text = "\(location): \(message)"
        if let sourceLine {
            let caret = String(repeating: " ", count: max(0, location.column - 1)) + "^"
            text += "\n    \(sourceLine)\n    \(caret)"
        }
        return text
    }
}

extension ShellError {
    /// Any error as the shell prints it (a parser failure with its place and caret).
    public static func describe(_ error: any Error) -> String {
        if let failure = error as? Parser.Failure { return ShellError(failure).description }
        return (error as? ShellError)?.description ?? "\(error)"
    }

    public init(_ failure: Parser.Failure) {
        switch failure {
        case let .incomplete(message, location):
            self.init("\(message); the input ended before it was closed", location: location, status: 2)
        case let .syntax(message, location, line):
            self.init(message, location: location, sourceLine: line, status: 2)
        }
    }
}
