/// A request that does not fit the wire contract: the path of the offending field and what was
/// wrong with it. Thrown by the strict decoders of the request types; the server answers it as
/// `invalid_argument`.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the request, as `outputs[0].video[1].codec`; empty for the body itself.
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public init(codingPath: [any CodingKey], _ message: String) {
        self.init(path: Self.render(codingPath), message)
    }

    /// Describes Foundation's decoding errors in the same words.
    public init(_ error: DecodingError) {
        switch error {
        case let .typeMismatch(type, context):
            if context.codingPath.isEmpty {
                self.init(path: "", "the request body must be a JSON object")
            } else {
                self.init(codingPath: context.codingPath, "expected \(Self.jsonName(of: type))")
            }
        case let .valueNotFound(type, context):
            self.init(codingPath: context.codingPath, "expected \(Self.jsonName(of: type)), got null")
        case let .keyNotFound(key, context):
            self.init(codingPath: context.codingPath + [key], "is required")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                self.init(path: "", "the request body is not valid JSON")
            } else {
                self.init(codingPath: context.codingPath, context.debugDescription)
            }
        @unknown default:
            self.init(path: "", "the request body could not be decoded")
        }
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    static func render(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int32.Type, is Int64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
