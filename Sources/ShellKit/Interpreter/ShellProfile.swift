/// What a host says of itself to the shell's user: the prompt, what history must never keep, and
/// hints that name the host's own commands in the shell's errors. ShellKit knows no host, so
/// every word a user reads about one comes from here; the defaults are neutral.
public struct ShellProfile: Sendable {
    /// The prompt of the interactive loop.
    public var prompt: String
    /// The prompt while a quote, a trailing `\` or a here-document is still open.
    public var continuationPrompt: String
    /// What history keeps of a typed line (the line editor's file: never a password or a key).
    public var redaction: HistoryRedaction
    /// Appended in parentheses to the error for a line over `Parser.maximumLineBytes`: how this
    /// host's users pass long lists instead.
    public var longLineHint: String?

    /// A profile; the defaults name no host and redact nothing.
    public init(prompt: String = "> ", continuationPrompt: String = "  ...> ", redaction: HistoryRedaction = .none,
                longLineHint: String? = nil) {
        self.prompt = prompt
        self.continuationPrompt = continuationPrompt
        self.redaction = redaction
        self.longLineHint = longLineHint
    }
}
