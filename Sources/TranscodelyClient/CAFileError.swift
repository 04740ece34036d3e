/// A CA file that cannot be used, in one sentence.
public struct CAFileError: Error, Sendable, CustomStringConvertible {
    /// The sentence, naming the file and where it was given.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
