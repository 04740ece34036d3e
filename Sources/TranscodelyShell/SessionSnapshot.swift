import Foundation
import ShellKit
import TranscodelyAPI

/// `session save` / `session load`: the session as one JSON document, jobs in columns.
extension ShellSession {
    /// The saved form: jobs as columns (one array per field), so that a million jobs write and read
    /// in seconds; what jobs share (templates, batch names) stored once.
    struct Saved {
        struct Columns {
            var id: [String], key: [String], path: [String], status: [String], progress: [Float]
            var created: [Int64], updated: [Int64], template: [Int32], batch: [Int32]
            var retryOf: [String], errorCode: [String], errorMessage: [String]
        }

        var version: Int
        var templates: [Template]
        var batchNames: [String]
        var jobs: Columns
        var batches: [Batch]
        var failures: [FailedCreate]
        var variables: [String: String]
    }

    /// The session and `variables` as one JSON document.
    public func saved(variables: [String: String]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func raw<T: Encodable>(_ value: T) throws -> [UInt8] { Array(try encoder.encode(value)) }
        var w = JSONWriter(capacity: records.count * 200 + 4096)
        w.beginObject()
        w.key("batchNames"); w.raw(try raw(batchNames))
        w.key("batches"); w.raw(try raw(batchOrder.compactMap { batches[$0] }))
        w.key("failures"); w.raw(try raw(failures))
        w.key("jobs"); w.beginObject()
        func strings(_ name: String, _ value: (Record) -> String) {
            w.key(name); w.beginArray(); for record in records { w.string(value(record)) }; w.endArray()
        }
        func numbers(_ name: String, _ value: (Record) -> Int64) {
            w.key(name); w.beginArray(); for record in records { w.int(value(record)) }; w.endArray()
        }
        numbers("batch") { Int64($0.batch) }
        numbers("created") { $0.createdAt }
        strings("errorCode") { $0.error?.code ?? "" }
        strings("errorMessage") { $0.error?.message ?? "" }
        strings("id") { $0.id }
        strings("key") { $0.key ?? "" }
        strings("path") { $0.path }
        w.key("progress"); w.beginArray(); for record in records { w.number(Double(record.progress)) }; w.endArray()
        strings("retryOf") { $0.retryOf ?? "" }
        strings("status") { $0.status.rawValue }
        numbers("template") { Int64($0.template) }
        numbers("updated") { $0.updatedAt }
        // The rows `call JobService/Create` made (`save` writes them back as calls); absent in older files.
        w.key("viaCall"); w.beginArray(); for (row, record) in records.enumerated() where record.viaCall { w.int(Int64(row)) }; w.endArray()
        w.endObject()
        w.key("templates"); w.raw(try raw(templates))
        w.key("variables"); w.stringMap(variables)
        w.key("version"); w.int(2)
        w.endObject()
        return w.bytes
    }

    /// Loads a saved session into this one (journaled as a reference to the file). Returns the
    /// counts and the saved variables.
    public func load(saved path: String) throws -> (jobs: Int, batches: Int, variables: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ShellError("session load: cannot read \(path): no such file") }
        let result = try merge(data)
        try journal?.append(Event.loaded(path: URL(fileURLWithPath: path).standardizedFileURL.path))
        return result
    }

    func merge(_ data: Data) throws -> (jobs: Int, batches: Int, variables: [String: String]) {
        var reader = ColumnReader(data)
        let (raw, read) = try reader.document()
        func part<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let bytes = raw[key], let value = try? JSONDecoder().decode(T.self, from: bytes) else {
                throw ShellError("session load: not a saved session (\(key) is missing or wrong)")
            }
            return value
        }
        func strings(_ key: String) throws -> [String] {
            guard case let .strings(values)? = read[key] else {
                if case .numbers(let values)? = read[key], values.isEmpty { return [] }
                throw ShellError("session load: not a saved session (jobs.\(key) is missing or wrong)")
            }
            return values
        }
        func numbers(_ key: String) throws -> [Double] {
            switch read[key] {
            case let .numbers(values)?: return values
            case let .strings(values)? where values.isEmpty: return []
            default: throw ShellError("session load: not a saved session (jobs.\(key) is missing or wrong)")
            }
        }
        guard try part(Int.self, "version") == 2 else { throw ShellError("session load: this file was saved by another version of tcly") }
        let saved = Saved(version: 2, templates: try part([Template].self, "templates"), batchNames: try part([String].self, "batchNames"),
                          jobs: Saved.Columns(
                            id: try strings("id"), key: try strings("key"), path: try strings("path"), status: try strings("status"),
                            progress: try numbers("progress").map(Float.init), created: try numbers("created").map { Int64($0) },
                            updated: try numbers("updated").map { Int64($0) }, template: try numbers("template").map { Int32($0) },
                            batch: try numbers("batch").map { Int32($0) }, retryOf: try strings("retryOf"),
                            errorCode: try strings("errorCode"), errorMessage: try strings("errorMessage")),
                          batches: try part([Batch].self, "batches"), failures: try part([FailedCreate].self, "failures"),
                          variables: try part([String: String].self, "variables"))
        let columns = saved.jobs
        let count = columns.id.count
        guard [columns.key.count, columns.path.count, columns.status.count, columns.progress.count, columns.created.count,
               columns.updated.count, columns.template.count, columns.batch.count, columns.retryOf.count,
               columns.errorCode.count, columns.errorMessage.count].allSatisfy({ $0 == count }),
              columns.template.allSatisfy({ $0 >= 0 && Int($0) < saved.templates.count }),
              columns.batch.allSatisfy({ $0 >= -1 && Int($0) < saved.batchNames.count }) else {
            throw ShellError("session load: the saved session is damaged (its columns disagree)")
        }
        let templateMap = saved.templates.map { template -> Int32 in
            if let known = templateIndex[template] { return known }
            templates.append(template)
            templateIndex[template] = Int32(templates.count - 1)
            return Int32(templates.count - 1)
        }
        let batchMap = saved.batchNames.map { intern(batch: $0) }
        records.reserveCapacity(records.count + count)
        let viaCall: Set<Int> = if case let .numbers(rows)? = read["viaCall"] { Set(rows.map { Int($0) }) } else { [] }
        for i in 0..<count {
            let record = Record(
                id: columns.id[i], key: columns.key[i].isEmpty ? nil : columns.key[i], path: columns.path[i],
                status: JobStatus(rawValue: columns.status[i]) ?? .pending, progress: columns.progress[i],
                createdAt: columns.created[i], updatedAt: columns.updated[i], template: templateMap[Int(columns.template[i])],
                batch: columns.batch[i] < 0 ? -1 : batchMap[Int(columns.batch[i])],
                retryOf: columns.retryOf[i].isEmpty ? nil : columns.retryOf[i],
                error: columns.errorCode[i].isEmpty ? nil : JobError(code: JobError.Code(rawValue: columns.errorCode[i]) ?? .internal,
                                                                     message: columns.errorMessage[i]),
                viaCall: viaCall.contains(i))
            if let position = index[record.id] {
                if records[Int(position)].updatedAt <= record.updatedAt { records[Int(position)] = record }
            } else {
                index[record.id] = Int32(records.count)
                records.append(record)
            }
        }
        for batch in saved.batches { apply(.batch(batch)) }
        for failure in saved.failures { apply(.failed(failure)) }
        return (count, saved.batches.count, saved.variables)
    }
}
