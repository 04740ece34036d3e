/// Reads one JSON object of a request the way proto3 JSON parsers do: each field may be spelled in
/// snake_case or lowerCamelCase, and a field the message does not have is an error naming it, so
/// that a typo never passes silently.
///
/// Request types decode through it in their `init(from:)`; responses decode leniently instead, so
/// that a client keeps working when the server adds a field.
public struct StrictObject {
    private let container: KeyedDecodingContainer<AnyCodingKey>
    /// The key as the client spelled it, by its snake_case name.
    private let keys: [String: AnyCodingKey]

    /// Opens the object, rejecting any field not in `fields` (snake_case names).
    public init(_ decoder: any Decoder, fields: Set<String>) throws {
        container = try decoder.container(keyedBy: AnyCodingKey.self)
        var keys: [String: AnyCodingKey] = [:]
        for key in container.allKeys {
            let snake = Self.snakeCase(key.stringValue)
            guard fields.contains(snake) else {
                throw WireError(codingPath: decoder.codingPath + [key],
                                "unknown field; expected one of \(fields.sorted().joined(separator: ", "))")
            }
            if keys[snake] != nil {
                throw WireError(codingPath: decoder.codingPath + [key], "given twice (in snake_case and lowerCamelCase)")
            }
            keys[snake] = key
        }
        self.keys = keys
    }

    /// The field's value, or nil when it is absent or `null` (proto3: null means the default).
    public func decode<T: Decodable>(_ type: T.Type, _ field: String) throws -> T? {
        guard let key = keys[field], try !container.decodeNil(forKey: key) else { return nil }
        return try container.decode(type, forKey: key)
    }

    /// The field's value, or an error naming it when it is absent.
    public func require<T: Decodable>(_ type: T.Type, _ field: String) throws -> T {
        guard let value = try decode(type, field) else {
            throw WireError(codingPath: container.codingPath + [AnyCodingKey(field)], "is required")
        }
        return value
    }

    /// Whether the client sent the field (with any value, null included).
    public func contains(_ field: String) -> Bool { keys[field] != nil }

    /// An error about a field, at its path.
    public func error(_ field: String, _ message: String) -> WireError {
        WireError(codingPath: container.codingPath + [keys[field] ?? AnyCodingKey(field)], message)
    }

    /// `inputOriginId` → `input_origin_id`; snake_case names come back unchanged.
    static func snakeCase(_ name: String) -> String {
        // Field names are ASCII: look at bytes, not at Unicode properties of characters.
        guard name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return name }
        var out = ""
        out.reserveCapacity(name.utf8.count + 4)
        for character in name {
            if character.isUppercase {
                out.append("_")
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// A coding key made of any string or index.
public struct AnyCodingKey: CodingKey, Sendable, Hashable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
