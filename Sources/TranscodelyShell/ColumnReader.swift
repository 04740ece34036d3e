import Foundation
import ShellKit

/// Reads the documents `session save` writes, fast: the job columns (arrays of a million strings or
/// numbers) straight from the bytes, everything else through `JSONDecoder`. Any input that is
/// not such a document is an error, never a crash.
struct ColumnReader {
    private let bytes: [UInt8]
    private var i = 0

    init(_ data: Data) { bytes = Array(data) }

    /// The top-level object: each value either read as columns (`jobs`) or kept as raw JSON.
    mutating func document() throws -> (raw: [String: Data], columns: [String: Column]) {
        var raw: [String: Data] = [:]
        var columns: [String: Column] = [:]
        try object { reader, key in
            if key == "jobs" {
                try reader.object { reader, name in columns[name] = try reader.column() }
            } else {
                let start = reader.i
                try reader.skipValue()
                raw[key] = Data(reader.bytes[start..<reader.i])
            }
        }
        return (raw, columns)
    }

    /// One column: strings or numbers.
    enum Column {
        case strings([String])
        case numbers([Double])
    }

    private mutating func column() throws -> Column {
        try expect(UInt8(ascii: "["))
        skipBlanks()
        if peek == UInt8(ascii: "]") { i += 1; return .strings([]) }
        if peek == UInt8(ascii: "\"") {
            var values: [String] = []
            repeat {
                skipBlanks()
                values.append(try string())
                skipBlanks()
            } while try comma(closing: UInt8(ascii: "]"))
            return .strings(values)
        }
        var values: [Double] = []
        repeat {
            skipBlanks()
            values.append(try number())
            skipBlanks()
        } while try comma(closing: UInt8(ascii: "]"))
        return .numbers(values)
    }

    private mutating func object(_ member: (inout ColumnReader, String) throws -> Void) throws {
        skipBlanks()
        try expect(UInt8(ascii: "{"))
        skipBlanks()
        if peek == UInt8(ascii: "}") { i += 1; return }
        repeat {
            skipBlanks()
            let key = try string()
            skipBlanks()
            try expect(UInt8(ascii: ":"))
            skipBlanks()
            try member(&self, key)
            skipBlanks()
        } while try comma(closing: UInt8(ascii: "}"))
    }

    /// After an element: true at `,`, false at the closing bracket.
    private mutating func comma(closing: UInt8) throws -> Bool {
        guard i < bytes.count else { throw damaged }
        if bytes[i] == UInt8(ascii: ",") { i += 1; return true }
        if bytes[i] == closing { i += 1; return false }
        throw damaged
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = i
        var escaped = false
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\") { escaped = true; i += 1 }
            i += 1
        }
        guard i < bytes.count else { throw damaged }
        let body = bytes[start..<i]
        i += 1
        if !escaped { return String(decoding: body, as: UTF8.self) }
        // Rare: let Foundation undo the escapes of this one string.
        let quoted = Data([UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")])
        guard let text = try? JSONDecoder().decode(String.self, from: quoted) else { throw damaged }
        return text
    }

    /// Whole numbers (nearly all of them: times, indexes) are read digit by digit; others by `Double`.
    private mutating func number() throws -> Double {
        let start = i
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var whole: Int64 = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57, digits < 18 {
            whole = whole * 10 + Int64(bytes[i] - 48)
            digits += 1
            i += 1
        }
        if digits > 0, i == bytes.count || !".eE0123456789".utf8.contains(bytes[i]) {
            return Double(negative ? -whole : whole)
        }
        while i < bytes.count, "-+.eE0123456789".utf8.contains(bytes[i]) { i += 1 }
        guard let value = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw damaged }
        return value
    }

    /// Passes over one JSON value of any kind.
    private mutating func skipValue() throws {
        skipBlanks()
        guard i < bytes.count else { throw damaged }
        switch bytes[i] {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard i < bytes.count else { throw damaged }
                switch bytes[i] {
                case UInt8(ascii: "\""): _ = try string(); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                i += 1
            } while depth > 0
        default:
            while i < bytes.count, !",}] \n\t\r".utf8.contains(bytes[i]) { i += 1 }
        }
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipBlanks() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard i < bytes.count, bytes[i] == byte else { throw damaged }
        i += 1
    }

    private var damaged: ShellError {
        ShellError("session load: not a saved session (malformed JSON near byte \(i))")
    }
}
