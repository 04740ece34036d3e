extension JSONValue {
    /// Why a text is not one JSON document, and where (a byte offset from 0).
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at byte \(offset + 1)" }
    }

    /// Reads one JSON document (blanks around it allowed), keeping field order and number text.
    public init(parsing text: String) throws(ParseError) {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipBlanks()
        self = try reader.value(depth: 0)
        reader.skipBlanks()
        guard reader.at == reader.bytes.count else { throw ParseError(message: "text after the JSON document", offset: reader.at) }
    }

    /// A small recursive-descent reader of RFC 8259 JSON.
    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skipBlanks() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        func fail(_ message: String) -> ParseError { ParseError(message: message, offset: at) }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 512 else { throw fail("nested too deeply") }
            guard at < bytes.count else { throw fail("the document ends where a value should be") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var fields: [(key: String, value: JSONValue)] = []
                skipBlanks()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(fields) }
                while true {
                    skipBlanks()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a field name in quotes") }
                    let key = try string()
                    skipBlanks()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected : after a field name") }
                    at += 1
                    skipBlanks()
                    fields.append((key, try value(depth: depth + 1)))
                    skipBlanks()
                    guard at < bytes.count else { throw fail("an object is not closed by }") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    guard bytes[at] == UInt8(ascii: "}") else { throw fail("expected , or } in an object") }
                    at += 1
                    return .object(fields)
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [JSONValue] = []
                skipBlanks()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipBlanks()
                    items.append(try value(depth: depth + 1))
                    skipBlanks()
                    guard at < bytes.count else { throw fail("an array is not closed by ]") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    guard bytes[at] == UInt8(ascii: "]") else { throw fail("expected , or ] in an array") }
                    at += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try word("true"); return .bool(true)
            case UInt8(ascii: "f"): try word("false"); return .bool(false)
            case UInt8(ascii: "n"): try word("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character \"\(String(decoding: [bytes[at]], as: UTF8.self))\"")
            }
        }

        mutating func word(_ word: String) throws(ParseError) {
            let expected = Array(word.utf8)
            guard bytes.count - at >= expected.count, Array(bytes[at..<at + expected.count]) == expected else {
                throw fail("expected \(word)")
            }
            at += expected.count
        }

        mutating func number() throws(ParseError) -> String {
            let start = at
            func digits() -> Int {
                let from = at
                while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
                return at - from
            }
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw fail("a number needs digits") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw fail("a number needs digits after its point") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw fail("a number needs digits in its exponent") }
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        mutating func string() throws(ParseError) -> String {
            at += 1
            var out: [UInt8] = []
            while at < bytes.count {
                let byte = bytes[at]
                switch byte {
                case UInt8(ascii: "\""):
                    at += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    at += 1
                    guard at < bytes.count else { throw fail("a string ends inside an escape") }
                    let escape = bytes[at]
                    at += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") {
                            at += 2
                            let low = try hex4()
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                    default: throw fail("unknown escape \\\(String(decoding: [escape], as: UTF8.self))")
                    }
                case 0..<0x20: throw fail("a control character inside a string")
                default:
                    out.append(byte)
                    at += 1
                }
            }
            throw fail("a string is not closed by \"")
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard bytes.count - at >= 4, let value = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else {
                throw fail("\\u takes four hex digits")
            }
            at += 4
            return value
        }
    }
}
