import Crypto
import Foundation
import TranscodelyAPI

/// An idempotency-key template: text with placeholders filled per item — `{path}` (the input
/// path), `{name}` (its last component), `{stem}` (that without its extension), `{date}` (the
/// batch's start day, fixed when the batch starts), `{batch}` (the batch name), `{index}` (the
/// item's position, from 0). Checked when parsed, and every key it makes is checked before
/// anything is sent.
public struct KeyTemplate: Sendable, Hashable {
    enum Part: Hashable {
        case text(String)
        case path, name, stem, date, batch, index
    }

    let parts: [Part]
    public let source: String

    /// What a template is filled from for one item.
    public struct Values: Sendable {
        public var path: String
        public var date: String
        public var batch: String
        public var index: Int

        public init(path: String, date: String, batch: String, index: Int) {
            self.path = path
            self.date = date
            self.batch = batch
            self.index = index
        }
    }

    public init(_ template: String) throws(ConnectError) {
        source = template
        var parts: [Part] = []
        var text = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            text += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw .invalidArgument("--key: \"{\" at character \(template.distance(from: template.startIndex, to: open) + 1) is never closed; placeholders are {path} {name} {stem} {date} {batch} {index}")
            }
            let name = rest[rest.index(after: open)..<close]
            let part: Part
            switch name {
            case "path": part = .path
            case "name": part = .name
            case "stem": part = .stem
            case "date": part = .date
            case "batch": part = .batch
            case "index": part = .index
            default:
                throw .invalidArgument("--key: unknown placeholder {\(name)}; use {path} {name} {stem} {date} {batch} {index}")
            }
            if !text.isEmpty { parts.append(.text(text)); text = "" }
            parts.append(part)
            rest = rest[rest.index(after: close)...]
        }
        text += rest
        if !text.isEmpty { parts.append(.text(text)) }
        guard !parts.isEmpty else { throw .invalidArgument("--key: the template is empty") }
        if parts.count == 1, case .text = parts[0] {
            // A constant key would make every item of a batch the same job.
            throw .invalidArgument("--key: \"\(template)\" has no placeholder, so every file would get the same key; add {path} or {name}")
        }
        self.parts = parts
    }

    /// The key for one item, checked against the API's rules (1–255 printable ASCII).
    public func key(for values: Values) throws(ConnectError) -> String {
        var key = ""
        for part in parts {
            switch part {
            case let .text(text): key += text
            case .path: key += values.path
            case .name: key += (values.path as NSString).lastPathComponent
            case .stem: key += ((values.path as NSString).lastPathComponent as NSString).deletingPathExtension
            case .date: key += values.date
            case .batch: key += values.batch
            case .index: key += String(values.index)
            }
        }
        do { try CreateJobRequest.validate(idempotencyKey: key) } catch {
            throw .invalidArgument("--key \(source) makes \"\(key.prefix(60))\" for \(values.path): \(error.message)")
        }
        return key
    }

    /// The day a batch starts, as `{date}` writes it: `2026-02-28` (UTC).
    public static func date(_ instant: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: instant)
    }

    /// The key of a request made without `--key`: derived from what it asks for (input origin,
    /// path, output origin, outputs, priority — not its metadata, which names batches), so the
    /// same request is the same job, forever.
    public static func derivedKey(for request: CreateJobRequest) -> String {
        var basis = request
        basis.idempotencyKey = nil
        basis.metadata = [:]
        let digest = SHA256.hash(data: Data(basis.canonicalForm.utf8))
        return "tcly-" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
