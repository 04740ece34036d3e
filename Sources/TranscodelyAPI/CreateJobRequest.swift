/// The body of `JobService/Create`: what to encode, from where, to where, and under which
/// idempotency key.
public struct CreateJobRequest: Sendable, Hashable, Codable {
    public var inputOriginID: String
    public var inputPath: String
    public var outputOriginID: String
    /// Makes the create safe to repeat: same key and same parameters give back the same job.
    public var idempotencyKey: String?
    public var priority: Priority
    public var metadata: [String: String]
    public var outputs: [OutputSpec]

    public static let fields: Set<String> = [
        "input_origin_id", "input_path", "output_origin_id", "idempotency_key", "priority", "metadata", "outputs",
    ]

    public init(inputOriginID: String, inputPath: String, outputOriginID: String, idempotencyKey: String? = nil,
                priority: Priority = .standard, metadata: [String: String] = [:], outputs: [OutputSpec]) {
        self.inputOriginID = inputOriginID
        self.inputPath = inputPath
        self.outputOriginID = outputOriginID
        self.idempotencyKey = idempotencyKey
        self.priority = priority
        self.metadata = metadata
        self.outputs = outputs
    }

    enum CodingKeys: String, CodingKey {
        case inputOriginID = "input_origin_id", inputPath = "input_path", outputOriginID = "output_origin_id"
        case idempotencyKey = "idempotency_key", priority, metadata, outputs
    }

    public init(from decoder: any Decoder) throws {
        let object = try StrictObject(decoder, fields: Self.fields)
        inputOriginID = try object.require(String.self, "input_origin_id")
        inputPath = try object.require(String.self, "input_path")
        outputOriginID = try object.require(String.self, "output_origin_id")
        idempotencyKey = try object.decode(String.self, "idempotency_key")
        priority = try object.decode(Priority.self, "priority") ?? .standard
        metadata = try object.decode([String: String].self, "metadata") ?? [:]
        outputs = try object.require([OutputSpec].self, "outputs")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputOriginID, forKey: .inputOriginID)
        try c.encode(inputPath, forKey: .inputPath)
        try c.encode(outputOriginID, forKey: .outputOriginID)
        try c.encodeIfPresent(idempotencyKey, forKey: .idempotencyKey)
        try c.encode(priority, forKey: .priority)
        if !metadata.isEmpty { try c.encode(metadata, forKey: .metadata) }
        try c.encode(outputs, forKey: .outputs)
    }

    /// Checks the contract's limits (API.md) before anything is stored.
    public func validate() throws(ConnectError) {
        if inputOriginID.isEmpty { throw .invalidArgument("input_origin_id: is required") }
        if inputPath.isEmpty { throw .invalidArgument("input_path: is required") }
        if outputOriginID.isEmpty { throw .invalidArgument("output_origin_id: is required") }
        if let key = idempotencyKey { try Self.validate(idempotencyKey: key) }
        guard (1...10).contains(outputs.count) else {
            throw .invalidArgument("outputs: a job takes 1 to 10 outputs, got \(outputs.count)")
        }
        for (index, output) in outputs.enumerated() { try output.validate(index: index) }
        guard metadata.count <= 32 else {
            throw .invalidArgument("metadata: at most 32 entries, got \(metadata.count)")
        }
        for (key, value) in metadata {
            if key.isEmpty { throw .invalidArgument("metadata: keys may not be empty") }
            if key.utf8.count > 64 { throw .invalidArgument("metadata: key \"\(key.prefix(20))…\" is \(key.utf8.count) bytes; at most 64") }
            if value.utf8.count > 512 { throw .invalidArgument("metadata[\(key)]: value is \(value.utf8.count) bytes; at most 512") }
        }
    }

    /// An idempotency key is 1 to 255 printable ASCII characters.
    public static func validate(idempotencyKey key: String) throws(ConnectError) {
        guard !key.isEmpty, key.utf8.count <= 255 else {
            throw .invalidArgument("idempotency_key: must be 1 to 255 characters, got \(key.utf8.count)")
        }
        if let bad = key.utf8.firstIndex(where: { $0 < 0x20 || $0 > 0x7E }) {
            let offset = key.utf8.distance(from: key.utf8.startIndex, to: bad)
            throw .invalidArgument("idempotency_key: only printable ASCII is allowed; character \(offset + 1) is not")
        }
    }

    /// The request with its defaults filled in and the key left out, as one JSON text with sorted
    /// keys: two creates are "the same parameters" exactly when their canonical forms are equal,
    /// whatever their field order, snake/camel spelling or enum spelling was.
    public var canonicalForm: String {
        var copy = self
        copy.idempotencyKey = nil
        return copy.jsonBytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }
}

import Foundation
