import ShellKit
import TranscodelyAPI

/// A request body checked against `APISchema` before `call` sends it: unknown fields, values of
/// the wrong type or outside an enum, required fields left out. What it finds is said as notes;
/// the body is sent as written all the same, so that the API's own answer is what decides.
enum RequestCheck {
    /// What is wrong with `value` as a `message`, each as `path: problem`.
    static func problems(_ value: JSONValue, message: APIMessage) -> [String] {
        var found: [String] = []
        check(value, .message(message.name), at: "", into: &found)
        return found
    }

    private static func check(_ value: JSONValue, _ type: APIType, at path: String, into found: inout [String]) {
        let place = path.isEmpty ? "the body" : path
        if case .null = value { return }  // proto3: null is the default
        switch type {
        case .string, .timestamp:
            guard case .string = value else { return found.append("\(place): is \(value.kind); the API takes a string here") }
        case let .enumeration(name, values):
            guard case let .string(text) = value else { return found.append("\(place): is \(value.kind); the API takes a \(name) string here") }
            let proto = values.contains { text.uppercased().hasSuffix("_" + $0.uppercased()) && text == text.uppercased() }
            if !values.contains(text), !proto {
                found.append("\(place): \"\(text)\" is not one of \(values.joined(separator: ", "))")
            }
        case .integer:
            guard case let .number(text) = value, !text.contains("."), !text.lowercased().contains("e") else {
                return found.append("\(place): is \(value.kind); the API takes an integer here")
            }
        case .number:
            guard case .number = value else { return found.append("\(place): is \(value.kind); the API takes a number here") }
        case .boolean:
            guard case .bool = value else { return found.append("\(place): is \(value.kind); the API takes true or false here") }
        case let .array(element):
            guard case let .array(items) = value else { return found.append("\(place): is \(value.kind); the API takes an array here") }
            for (index, item) in items.enumerated() { check(item, element, at: "\(path)[\(index)]", into: &found) }
        case let .oneOrMany(element):
            if case let .array(items) = value {
                for (index, item) in items.enumerated() { check(item, element, at: "\(path)[\(index)]", into: &found) }
            } else {
                check(value, element, at: path, into: &found)
            }
        case let .map(element):
            guard case let .object(fields) = value else { return found.append("\(place): is \(value.kind); the API takes an object here") }
            for field in fields { check(field.value, element, at: "\(path)[\(field.key)]", into: &found) }
        case let .message(name):
            guard let message = APISchema.message(name) else { return }
            guard case let .object(fields) = value else {
                return found.append("\(place): is \(value.kind); the API takes an object (\(name)) here")
            }
            let prefix = path.isEmpty ? "" : path + "."
            for field in fields {
                guard let known = message.field(field.key) else {
                    let names = message.fields.map(\.name)
                    found.append("\(prefix)\(field.key): \(name) has no such field; "
                        + (names.isEmpty ? "it takes none" : "its fields: \(names.joined(separator: ", "))"))
                    continue
                }
                check(field.value, known.type, at: prefix + known.name, into: &found)
            }
            for required in message.fields where required.required {
                let given = fields.contains { $0.key == required.name || $0.key == required.camelName }
                if !given { found.append("\(prefix)\(required.name): is required (\(required.type))") }
            }
        }
    }
}
