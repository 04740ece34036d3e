/// One command: its words and where it starts.
public struct ParsedCommand: Sendable, Hashable {
    public var words: [Word]
    public var location: SourceLocation
    /// The source line it came from, for error carets.
    public var sourceLine: String
    /// Its here-document, if it has one.
    public var input: CommandInput?

    public init(words: [Word], location: SourceLocation, sourceLine: String, input: CommandInput? = nil) {
        self.words = words
        self.location = location
        self.sourceLine = sourceLine
        self.input = input
    }
}
