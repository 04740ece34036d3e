/// A JSON document as a capture holds it (`--set NAME`): objects keep their fields in the order
/// they were written and numbers keep their text, so that `${NAME.a.b}` prints exactly what the
/// answer said and a listing of fields reads in the answer's order.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number as written (`42`, `0.5`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Fields in document order.
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(compact) }

    /// What kind of value it is, in words for errors: "an object", "a string".
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value of field `key` of an object (nil for a missing field or a value that is no object).
    public subscript(key: String) -> JSONValue? {
        guard case let .object(fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// The value as a word of the shell: a string without its quotes, a number as written,
    /// `true`/`false`/`null`, and objects and arrays as compact JSON.
    public var text: String {
        switch self {
        case let .string(text): text
        case let .number(text): text
        case let .bool(value): value ? "true" : "false"
        case .null: "null"
        case .array, .object: compact
        }
    }

    /// One line of JSON, fields in their order.
    public var compact: String {
        var out = ""
        JSONRendering(indent: nil, colors: false).write(self, into: &out, depth: 0)
        return out
    }

    /// Indented JSON (two spaces), fields in their order; with `colors`, keys, strings and
    /// numbers in ANSI colours.
    public func pretty(colors: Bool = false) -> String {
        var out = ""
        JSONRendering(indent: "  ", colors: colors).write(self, into: &out, depth: 0)
        return out
    }
}
