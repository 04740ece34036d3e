import Foundation
import Testing
import TranscodelyAPI

/// `APISchema` (what `describe`, completion and `call`'s checks read) against docs/openapi.yaml:
/// every method with its request and response messages, every message's fields with their types,
/// enum values and whether they are required. Any difference fails, named.
@Suite struct APISchemaDriftTests {
    /// Methods the schema has and docs/openapi.yaml does not document yet, with the messages only
    /// they use: GetLog comes to openapi.yaml with the work that added it to the engine. When it
    /// is there, this test says so, and the entry goes.
    static let pendingInOpenAPI: Set<String> = []
    static let pendingMessages: Set<String> = []

    static func document(file: String = #filePath) throws -> YAMLNode {
        let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        return try MiniYAML.parse(text)
    }

    @Test func theSchemaMatchesOpenAPIForEveryMethodAndMessage() throws {
        let document = try Self.document()
        let paths = try #require(document["paths"])
        let schemas = try #require(document["components"]?["schemas"])
        var drift: [String] = []
        var compared = 0

        let documented = paths.keys.filter { $0.hasPrefix("/transcodely.v1.") }.map { String($0.dropFirst("/transcodely.v1.".count)) }
        for path in documented where APISchema.method(path) == nil {
            drift.append("\(path): in docs/openapi.yaml, not in APISchema")
        }
        for method in APISchema.methods {
            guard let operation = paths["/transcodely.v1.\(method.path)"]?["post"] else {
                if !Self.pendingInOpenAPI.contains(method.path) { drift.append("\(method.path): in APISchema, not in docs/openapi.yaml") }
                continue
            }
            if Self.pendingInOpenAPI.contains(method.path) {
                drift.append("\(method.path) is in docs/openapi.yaml now: take it out of pendingInOpenAPI (and its messages out of pendingMessages)")
            }
            let request = operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.string.map(Self.name)
            let response = operation["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["$ref"]?.string.map(Self.name)
            if request != method.request { drift.append("\(method.path): request is \(request ?? "none") in openapi.yaml, \(method.request) in APISchema") }
            if response != method.response { drift.append("\(method.path): response is \(response ?? "none") in openapi.yaml, \(method.response) in APISchema") }
        }

        for message in APISchema.messages where !Self.pendingMessages.contains(message.name) {
            guard let schema = schemas[message.name] else {
                drift.append("\(message.name): in APISchema, not in components/schemas")
                continue
            }
            let (properties, required) = Self.flattened(schema, schemas)
            let documentedNames = Set(properties.keys), ours = Set(message.fields.map(\.name))
            for name in documentedNames.subtracting(ours).sorted() { drift.append("\(message.name).\(name): in openapi.yaml, not in APISchema") }
            for name in ours.subtracting(documentedNames).sorted() { drift.append("\(message.name).\(name): in APISchema, not in openapi.yaml") }
            for field in message.fields {
                guard let type = properties[field.name] else { continue }
                let ours = Self.signature(field.type)
                compared += 1
                if type != ours { drift.append("\(message.name).\(field.name): \(type) in openapi.yaml, \(ours) in APISchema") }
                if required.contains(field.name) != field.required {
                    drift.append("\(message.name).\(field.name): required is \(required.contains(field.name)) in openapi.yaml, \(field.required) in APISchema")
                }
            }
        }
        // Every message a method or a field names is in the schema.
        for method in APISchema.methods {
            for name in [method.request, method.response] where APISchema.message(name) == nil {
                drift.append("\(method.path): message \(name) is not in APISchema.messages")
            }
        }
        for message in APISchema.messages {
            for field in message.fields {
                if let inner = field.type.messageName, APISchema.message(inner) == nil {
                    drift.append("\(message.name).\(field.name): message \(inner) is not in APISchema.messages")
                }
            }
        }
        #expect(compared > 90, "the reader found the document's fields (\(compared) compared)")
        #expect(drift.isEmpty, "APISchema and docs/openapi.yaml differ:\n\(drift.joined(separator: "\n"))")
    }

    @Test func theServersCopyOfOpenAPIIsTheDocsCopy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try Data(contentsOf: root.appendingPathComponent("docs/openapi.yaml"))
        let served = try Data(contentsOf: root.appendingPathComponent("Sources/TranscodelyServer/Resources/openapi.yaml"))
        #expect(docs == served, "docs/openapi.yaml and Sources/TranscodelyServer/Resources/openapi.yaml must be the same file")
    }

    @Test func theYAMLReaderReadsWhatTheDocumentUses() throws {
        let node = try MiniYAML.parse("""
            a:
              b: [x, 'y', "z"]   # a comment
              c: {k: v, l: [1, 2]}
              d: |
                text: with a colon
                - and a dash
              e:
                - $ref: '#/r'
                  f: g
                - plain
              '200': quoted
            """)
        #expect(node["a"]?["b"]?.items?.compactMap(\.string) == ["x", "y", "z"])
        #expect(node["a"]?["c"]?["l"]?.items?.count == 2)
        #expect(node["a"]?["d"]?.string == "text: with a colon\n- and a dash")
        #expect(node["a"]?["e"]?.items?.first?["$ref"]?.string == "#/r")
        #expect(node["a"]?["e"]?.items?.first?["f"]?.string == "g")
        #expect(node["a"]?["e"]?.items?.last?.string == "plain")
        #expect(node["a"]?["200"]?.string == "quoted")
    }

    /// `#/components/schemas/Job` → `Job`.
    static func name(_ reference: String) -> String { String(reference.split(separator: "/").last ?? "") }

    /// A message's properties (each as a signature) and its required fields; a `oneOf` of messages
    /// (OutputSpecInput) is the union of its alternatives, their enums merged, required in all.
    static func flattened(_ schema: YAMLNode, _ schemas: YAMLNode) -> (properties: [String: String], required: Set<String>) {
        if let alternatives = schema["oneOf"]?.items {
            var properties: [String: [String]] = [:]
            var required: Set<String>?
            for alternative in alternatives {
                guard let target = alternative["$ref"]?.string.flatMap({ schemas[name($0)] }) else { continue }
                let (inner, innerRequired) = flattened(target, schemas)
                for (key, value) in inner { properties[key, default: []].append(value) }
                required = required.map { $0.intersection(innerRequired) } ?? innerRequired
            }
            return (properties.mapValues(merged), required ?? [])
        }
        var properties: [String: String] = [:]
        if case let .map(entries)? = schema["properties"] {
            for entry in entries { properties[entry.key] = signature(entry.value, schemas) }
        }
        return (properties, Set(schema["required"]?.items?.compactMap(\.string) ?? []))
    }

    /// Enums of one property in several alternatives, as one enum; anything else must agree.
    static func merged(_ signatures: [String]) -> String {
        guard signatures.count > 1, signatures.allSatisfy({ $0.hasPrefix("enum(") }) else {
            return Set(signatures).count == 1 ? signatures[0] : "differs(\(signatures.joined(separator: " / ")))"
        }
        let values = signatures.flatMap { $0.dropFirst(5).dropLast().split(separator: ",").map(String.init) }
        return "enum(\(Set(values).sorted().joined(separator: ",")))"
    }

    /// An OpenAPI property's type in the words `signature(_: APIType)` uses.
    static func signature(_ node: YAMLNode, _ schemas: YAMLNode) -> String {
        if let reference = node["$ref"]?.string {
            let target = name(reference)
            if target == "Timestamp" { return "timestamp" }
            if let values = schemas[target]?["enum"]?.items { return enumSignature(values) }
            return "message:\(target)"
        }
        if let alternatives = node["oneOf"]?.items {
            let inner = alternatives.map { signature($0, schemas) }
            if inner.count == 2, inner[1] == "array<\(inner[0])>" { return "oneOrMany<\(inner[0])>" }
            return "oneOf(\(inner.joined(separator: ", ")))"
        }
        if let values = node["enum"]?.items { return enumSignature(values) }
        switch node["type"]?.string {
        case "string"?: return node["format"]?.string == "date-time" ? "timestamp" : "string"
        case "array"?: return "array<\(node["items"].map { signature($0, schemas) } ?? "?")>"
        case "object"?:
            if let values = node["additionalProperties"], values.string == nil { return "map<\(signature(values, schemas))>" }
            return "object"
        case let other?: return other
        case nil: return "?"
        }
    }

    static func enumSignature(_ values: [YAMLNode]) -> String {
        "enum(\(values.compactMap(\.string).filter { $0 != "null" }.sorted().joined(separator: ",")))"
    }

    /// An `APIType` as a signature.
    static func signature(_ type: APIType) -> String {
        switch type {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .timestamp: "timestamp"
        case let .enumeration(_, values): "enum(\(values.sorted().joined(separator: ",")))"
        case let .message(name): "message:\(name)"
        case let .array(element): "array<\(signature(element))>"
        case let .map(element): "map<\(signature(element))>"
        case let .oneOrMany(element): "oneOrMany<\(signature(element))>"
        }
    }
}
