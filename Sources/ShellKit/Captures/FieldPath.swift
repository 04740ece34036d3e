/// A read of a field of a captured answer: `${NAME.user.id}`, `${NAME.items[0].name}`,
/// `${NAME.items.length}`. The syntax is the variable's name, then any number of steps: `.FIELD`
/// (letters, digits, `_` and `-`) or `[INDEX]` (from 0). `.length` of an array is its count (of an
/// object without a field `length`, its number of fields; of a string, its characters).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        case field(String)
        case index(Int)
    }

    /// The variable holding the capture.
    public var name: String
    public var steps: [Step]

    public init(name: String, steps: [Step]) {
        self.name = name
        self.steps = steps
    }

    /// `NAME.a.b[0]`, as written.
    public var description: String { Self.text(name, steps[...]) }

    private static func text(_ name: String, _ steps: ArraySlice<Step>) -> String {
        steps.reduce(name) { path, step in
            switch step {
            case let .field(field): path + "." + field
            case let .index(index): path + "[\(index)]"
            }
        }
    }

    /// Reads `NAME.a[0].b`; nil when `text` is a plain name (no steps) or not a path. The
    /// reason is returned for a text that starts as a path and goes wrong.
    public static func parse(_ text: String) -> Result<FieldPath, PathSyntaxError>? {
        let characters = Array(text)
        var i = 0
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        var name = ""
        while i < characters.count, isNameCharacter(characters[i]) { name.append(characters[i]); i += 1 }
        guard !name.isEmpty, i < characters.count, characters[i] == "." || characters[i] == "[" else { return nil }
        var steps: [Step] = []
        while i < characters.count {
            if characters[i] == "." {
                i += 1
                var field = ""
                while i < characters.count, isNameCharacter(characters[i]) { field.append(characters[i]); i += 1 }
                guard !field.isEmpty else { return .failure(PathSyntaxError(text: text, column: i)) }
                steps.append(.field(field))
            } else if characters[i] == "[" {
                i += 1
                var digits = ""
                while i < characters.count, characters[i].isASCII, characters[i].isNumber { digits.append(characters[i]); i += 1 }
                guard let index = Int(digits), i < characters.count, characters[i] == "]" else {
                    return .failure(PathSyntaxError(text: text, column: i))
                }
                i += 1
                steps.append(.index(index))
            } else {
                return .failure(PathSyntaxError(text: text, column: i))
            }
        }
        return .success(FieldPath(name: name, steps: steps))
    }

    /// The value at this path in `root` (the capture of `name`), or an error that names the path
    /// and says what exists there: the fields of an object, the length of an array.
    public func resolve(in root: JSONValue) throws(FieldPathError) -> JSONValue {
        var value = root
        for (position, step) in steps.enumerated() {
            let at = Self.text(name, steps[..<position])
            switch (step, value) {
            case let (.field(field), .object(fields)):
                if let found = fields.first(where: { $0.key == field }) {
                    value = found.value
                } else if field == "length" {
                    value = .number(String(fields.count))
                } else {
                    let keys = fields.map(\.key)
                    throw FieldPathError(path: self, message: "\(at) has no field \"\(field)\"; "
                        + (keys.isEmpty ? "it is an empty object" : "its fields: \(keys.joined(separator: ", "))"))
                }
            case let (.field("length"), .array(items)): value = .number(String(items.count))
            case let (.field("length"), .string(text)): value = .number(String(text.count))
            case let (.field(field), .array(items)):
                throw FieldPathError(path: self, message: "\(at) is an array of \(items.count), not an object: it has no field \"\(field)\"; "
                    + "read an element (\(at)[0]) or its length (\(at).length)")
            case let (.field(field), other):
                throw FieldPathError(path: self, message: "\(at) is \(other.kind), not an object: it has no field \"\(field)\"")
            case let (.index(index), .array(items)):
                guard index < items.count else {
                    throw FieldPathError(path: self, message: items.isEmpty
                        ? "\(at) is an empty array: [\(index)] is out of range"
                        : "\(at) has \(items.count) element(s): [\(index)] is out of range (0...\(items.count - 1))")
                }
                value = items[index]
            case let (.index(index), .object(fields)):
                throw FieldPathError(path: self, message: "\(at) is an object, not an array: it has no [\(index)]; its fields: "
                    + fields.map(\.key).joined(separator: ", "))
            case let (.index(index), other):
                throw FieldPathError(path: self, message: "\(at) is \(other.kind), not an array: it has no [\(index)]")
            }
        }
        return value
    }
}

/// A `${…}` that starts as a field path and is not one.
public struct PathSyntaxError: Error, Sendable, Hashable {
    public var text: String
    /// Where it goes wrong, from 0.
    public var column: Int
}

/// A path that does not exist in its capture, in words (`u.user has no field "idd"; its fields: …`).
public struct FieldPathError: Error, Sendable, Hashable {
    public var path: FieldPath
    public var message: String
}
