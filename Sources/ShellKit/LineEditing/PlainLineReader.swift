/// Lines from standard input with no prompt and no escape codes: for pipes and scripts.
public final class PlainLineReader: LineReader {
    public init() {}
    public func read(prompt: String) -> String? { Swift.readLine(strippingNewline: true) }
    public func remember(_ line: String) {}
}
