/// One word of a command as written: literal text and variable references, kept apart so that
/// variables expand when the command runs (a `set` earlier on the same line is seen).
public struct Word: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case text(String)
        /// `$NAME` or `${NAME}`, at its place in the source.
        case variable(String, SourceLocation)
        /// `${NAME.field[0].field}`: a field of a captured answer (`--set NAME`), at its place.
        case field(FieldPath, SourceLocation)
    }

    public var parts: [Part]
    /// Where the word starts.
    public var location: SourceLocation

    public init(parts: [Part], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }

    /// The word with no variables, as written (for commands that take words literally).
    public var literal: String? {
        var out = ""
        for part in parts {
            guard case let .text(text) = part else { return nil }
            out += text
        }
        return out
    }
}
