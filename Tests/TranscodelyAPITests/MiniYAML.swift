import Foundation

/// A reader of the YAML that docs/openapi.yaml is written in, and no more: block mappings and
/// sequences by indentation, `- key: value` items, `|`/`>` block scalars (their text is kept
/// roughly), flow `[a, b]` and `{a: b}`, quoted and plain scalars (all kept as strings), `#`
/// comments. Written for the drift test so that the package needs no YAML library (Yams is not
/// a dependency, and a test-only one would add a C library to build for one file).
indirect enum YAMLNode: Sendable {
    case scalar(String)
    case list([YAMLNode])
    case map([(key: String, value: YAMLNode)])

    subscript(key: String) -> YAMLNode? {
        guard case let .map(entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    var string: String? {
        guard case let .scalar(text) = self else { return nil }
        return text
    }

    var items: [YAMLNode]? {
        guard case let .list(items) = self else { return nil }
        return items
    }

    var keys: [String] {
        guard case let .map(entries) = self else { return [] }
        return entries.map(\.key)
    }
}

struct MiniYAML {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var lines: [(indent: Int, text: String)]
    private var at = 0

    static func parse(_ text: String) throws -> YAMLNode {
        var reader = MiniYAML(lines: text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { raw in
            let line = Self.uncommented(String(raw))
            let text = line.drop { $0 == " " }
            guard !text.allSatisfy({ $0 == " " || $0 == "\r" }) else { return nil }
            return (line.count - text.count, String(text).trimmingTrailingBlanks)
        })
        return try reader.node()
    }

    /// The line without a `#` comment (one at the start or after a blank, outside quotes).
    private static func uncommented(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"", previous == " " || previous == "[" || previous == "{" || previous == "," {
                quote = c
            } else if c == "#", previous == " " {
                return String(line.prefix(offset))
            }
            previous = c
        }
        return line
    }

    private mutating func node() throws -> YAMLNode {
        guard at < lines.count else { return .scalar("") }
        let indent = lines[at].indent
        return lines[at].text.hasPrefix("-") ? try list(indent) : try map(indent)
    }

    private mutating func list(_ indent: Int) throws -> YAMLNode {
        var items: [YAMLNode] = []
        while at < lines.count, lines[at].indent == indent, lines[at].text == "-" || lines[at].text.hasPrefix("- ") {
            let rest = String(lines[at].text.dropFirst().drop { $0 == " " })
            if rest.isEmpty {
                at += 1
                items.append(try node())
            } else if !"[{'\"".contains(rest.first!), Self.split(rest) != nil {
                // `- key: value`: a mapping whose first entry is on this line.
                lines[at] = (indent + lines[at].text.count - rest.count, rest)
                items.append(try map(lines[at].indent))
            } else {
                at += 1
                items.append(try Self.flow(rest))
            }
        }
        return .list(items)
    }

    private mutating func map(_ indent: Int) throws -> YAMLNode {
        var entries: [(key: String, value: YAMLNode)] = []
        while at < lines.count, lines[at].indent == indent, !(lines[at].text == "-" || lines[at].text.hasPrefix("- ")) {
            guard let (key, value) = Self.split(lines[at].text) else {
                throw Failure(description: "line \(at + 1): expected key: value, got \(lines[at].text)")
            }
            at += 1
            if value.isEmpty {
                if at < lines.count, lines[at].indent > indent || lines[at].indent == indent && lines[at].text.hasPrefix("-") {
                    entries.append((key, try node()))
                } else {
                    entries.append((key, .scalar("")))
                }
            } else if value.hasPrefix("|") || value.hasPrefix(">") {
                var text: [String] = []
                while at < lines.count, lines[at].indent > indent { text.append(lines[at].text); at += 1 }
                entries.append((key, .scalar(text.joined(separator: "\n"))))
            } else {
                entries.append((key, try Self.flow(value)))
            }
        }
        return .map(entries)
    }

    /// `key: value` (value possibly empty); nil when the text is no mapping entry.
    private static func split(_ text: String) -> (String, String)? {
        let characters = Array(text)
        var keyEnd = 0
        if let q = characters.first, q == "'" || q == "\"" {
            guard let close = characters.dropFirst().firstIndex(of: q) else { return nil }
            keyEnd = close + 1
            guard keyEnd < characters.count, characters[keyEnd] == ":" else { return nil }
        } else {
            guard let colon = characters.indices.first(where: {
                characters[$0] == ":" && ($0 + 1 == characters.count || characters[$0 + 1] == " ")
            }) else { return nil }
            keyEnd = colon
        }
        let key = unquoted(String(characters[..<keyEnd]))
        let value = String(characters[(keyEnd + 1)...]).trimmed(" ")
        return (key, value)
    }

    private static func unquoted(_ text: String) -> String {
        if text.count >= 2, text.first == "'", text.last == "'" {
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        if text.count >= 2, text.first == "\"", text.last == "\"" { return String(text.dropFirst().dropLast()) }
        return text
    }

    /// A value on one line: a flow collection or a scalar.
    private static func flow(_ text: String) throws -> YAMLNode {
        guard text.first == "[" || text.first == "{" else { return .scalar(unquoted(text)) }
        var reader = Flow(characters: Array(text))
        return try reader.value()
    }

    private struct Flow {
        let characters: [Character]
        var at = 0

        mutating func blanks() { while at < characters.count, characters[at] == " " { at += 1 } }

        mutating func value() throws -> YAMLNode {
            blanks()
            guard at < characters.count else { throw Failure(description: "flow value ends early: \(String(characters))") }
            switch characters[at] {
            case "[":
                at += 1
                var items: [YAMLNode] = []
                while true {
                    blanks()
                    if characters[at] == "]" { at += 1; return .list(items) }
                    items.append(try value())
                    blanks()
                    if characters[at] == "," { at += 1 }
                }
            case "{":
                at += 1
                var entries: [(key: String, value: YAMLNode)] = []
                while true {
                    blanks()
                    if characters[at] == "}" { at += 1; return .map(entries) }
                    let key = scalar(until: ":")
                    at += 1
                    entries.append((key, try value()))
                    blanks()
                    if characters[at] == "," { at += 1 }
                }
            default:
                return .scalar(scalar(until: ",]}"))
            }
        }

        mutating func scalar(until stops: String) -> String {
            blanks()
            if let q = characters.dropFirst(at).first, q == "'" || q == "\"" {
                let start = at
                at += 1
                while at < characters.count, characters[at] != q { at += 1 }
                at += 1
                return unquoted(String(characters[start..<at]))
            }
            let start = at
            while at < characters.count, !stops.contains(characters[at]) { at += 1 }
            return String(characters[start..<at]).trimmed(" ")
        }
    }
}

extension String {
    var trimmingTrailingBlanks: String {
        var text = self
        while let last = text.last, last == " " || last == "\r" { text.removeLast() }
        return text
    }

    func trimmed(_ blanks: String) -> String {
        var text = Substring(self)
        while let first = text.first, blanks.contains(first) { text.removeFirst() }
        while let last = text.last, blanks.contains(last) { text.removeLast() }
        return String(text)
    }
}
