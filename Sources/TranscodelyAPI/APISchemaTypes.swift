/// One service of the API (`JobService`) and its methods.
public struct APIService: Sendable, Hashable {
    public var name: String
    public var summary: String
    public var methods: [APIMethod]
}

/// One Connect method: `POST /transcodely.v1.{service}/{name}`, its request and response messages.
public struct APIMethod: Sendable, Hashable {
    /// Whether the method may be sent again after a failure that leaves in doubt whether it ran.
    public enum Safety: Sendable, Hashable {
        /// It changes nothing.
        case read
        /// It creates something, and is safe to repeat when the request carries this field (the
        /// idempotency key).
        case keyedCreate(keyField: String)
        /// It changes something and is not safe to repeat.
        case write
    }

    public var service: String
    public var name: String
    public var summary: String
    /// The request message's name.
    public var request: String
    /// The response message's name.
    public var response: String
    public var safety: Safety

    /// `JobService/Create`: how the shell names it.
    public var path: String { "\(service)/\(name)" }
}

/// One JSON message: its fields in the order the API documents them.
public struct APIMessage: Sendable, Hashable {
    public var name: String
    public var summary: String
    public var fields: [APIField]

    /// The field with this JSON name (snake_case or lowerCamelCase, as requests accept).
    public func field(_ name: String) -> APIField? {
        fields.first { $0.name == name || $0.camelName == name }
    }
}

/// One field of a message.
public struct APIField: Sendable, Hashable {
    /// What the values of a field name, for completion: a job id, an origin id.
    public enum Reference: String, Sendable, Hashable {
        case job, origin, webhook
    }

    /// The JSON name (snake_case; requests also accept `camelName`).
    public var name: String
    public var type: APIType
    public var required: Bool
    /// One line: what the field means.
    public var summary: String
    /// What kind of id its values are, if any.
    public var references: Reference?

    public init(_ name: String, _ type: APIType, required: Bool = false, _ summary: String, references: Reference? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.summary = summary
        self.references = references
    }

    /// `input_origin_id` → `inputOriginId`.
    public var camelName: String {
        let parts = name.split(separator: "_")
        return parts.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
    }
}

/// The type of a field's value.
public indirect enum APIType: Sendable, Hashable, CustomStringConvertible {
    case string, integer, number, boolean
    /// RFC 3339 in UTC with microseconds.
    case timestamp
    /// One of `values` (short lowercase wire names), named `name` in the API.
    case enumeration(name: String, values: [String])
    /// A message, by name.
    case message(String)
    case array(APIType)
    /// A JSON object from string keys to values of this type.
    case map(APIType)
    /// One value, or an array of them (`ListJobsRequest.status`).
    case oneOrMany(APIType)

    /// How `describe` writes it: `string`, `JobStatus`, `OutputSpec[]`, `map<string, string>`.
    public var description: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .timestamp: "timestamp"
        case let .enumeration(name, _): name
        case let .message(name): name
        case let .array(element): "\(element)[]"
        case let .map(value): "map<string, \(value)>"
        case let .oneOrMany(element): "\(element) | \(element)[]"
        }
    }

    /// The enum values a value of this type may take, if it is an enum (or an array of one).
    public var enumValues: [String]? {
        switch self {
        case let .enumeration(_, values): values
        case let .array(element), let .oneOrMany(element), let .map(element): element.enumValues
        default: nil
        }
    }

    /// The message a value of this type is (or holds), if any.
    public var messageName: String? {
        switch self {
        case let .message(name): name
        case let .array(element), let .oneOrMany(element), let .map(element): element.messageName
        default: nil
        }
    }
}
