/// Where something is in a script or on the command line: file, line and column (from 1).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The script's path, or `<stdin>` / `<command line>`.
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
