/// Text a script gives one command in place (a here-document: `<<WORD`, its lines, `WORD`), as
/// shells give a command its standard input. The command running now reads it as
/// `CommandInput.current`; what the text means is the command's business.
public struct CommandInput: Sendable, Hashable {
    /// The lines between the opening line and the end word, joined by newlines.
    public var text: String
    /// Where its first line is, so that a command can name file:line:column of a bad line in it.
    public var location: SourceLocation

    public init(text: String, location: SourceLocation) {
        self.text = text
        self.location = location
    }

    /// The input of the command running in this task (nil when it has none).
    @TaskLocal public static var current: CommandInput?

    /// Its lines, each with its location.
    public var lines: [(text: String, location: SourceLocation)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            (String(line), SourceLocation(file: location.file, line: location.line + index, column: 1))
        }
    }
}
