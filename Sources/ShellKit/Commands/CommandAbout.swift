/// A command's name and help.
public struct CommandAbout: Sendable {
    public var name: String
    /// The heading `help` lists it under ("Storage", "Session", …).
    public var group: String
    public var summary: String
    /// One line a user can type, shown by `help NAME`.
    public var example: String
    /// Other names that run it.
    public var aliases: [String]

    public init(name: String, group: String, summary: String, example: String, aliases: [String] = []) {
        self.name = name
        self.group = group
        self.summary = summary
        self.example = example
        self.aliases = aliases
    }
}
