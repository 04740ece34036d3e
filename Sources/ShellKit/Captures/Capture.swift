/// An answer a command printed with `--json`, kept by `--set NAME` so that `${NAME.a[0].b}`
/// reads its fields.
public struct Capture: Sendable, Hashable {
    public var value: JSONValue
    /// The command line that printed it.
    public var source: String

    public init(value: JSONValue, source: String) {
        self.value = value
        self.source = source
    }
}
