/// Writes a `JSONValue` as text: compact (one line) or indented, optionally in colour.
struct JSONRendering {
    /// Nil: compact.
    var indent: String?
    var colors: Bool

    func write(_ value: JSONValue, into out: inout String, depth: Int) {
        switch value {
        case .null: out += paint("null", 2)
        case let .bool(flag): out += paint(flag ? "true" : "false", 33)
        case let .number(text): out += paint(text, 33)
        case let .string(text): out += paint(Self.quoted(text), 32)
        case let .array(items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                newline(&out, depth + 1)
                write(item, into: &out, depth: depth + 1)
            }
            newline(&out, depth)
            out += "]"
        case let .object(fields):
            guard !fields.isEmpty else { out += "{}"; return }
            out += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { out += "," }
                newline(&out, depth + 1)
                out += paint(Self.quoted(field.key), 36) + (indent == nil ? ":" : ": ")
                write(field.value, into: &out, depth: depth + 1)
            }
            newline(&out, depth)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ depth: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: indent, count: depth)
    }

    private func paint(_ text: String, _ code: Int) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
