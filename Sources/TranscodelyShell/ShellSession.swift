import Foundation
import ShellKit
import TranscodelyAPI

/// What a shell session remembers: every job it touched (with the request that made it, for
/// retries and `save`), every batch and the creates that failed. Each change is appended to the
/// journal before it is shown, so a crash of the shell loses no job id (`tcly --resume`).
public actor ShellSession {
    /// One job of the session.
    public struct Entry: Sendable, Codable, Hashable {
        public var job: Job
        public var request: CreateJobRequest
        /// The batch it was created by, if any.
        public var batch: String?
        /// The job it retries (retry-failed), if any.
        public var retryOf: String?
    }

    /// One batch: its items' keys in order and the creates that failed.
    public struct Batch: Sendable, Codable, Hashable {
        public var name: String
        public var keys: [String]
        public var failed: [FailedCreate]
    }

    /// A create that failed, kept so `retry-failed` can send it again under the same key.
    public struct FailedCreate: Sendable, Codable, Hashable {
        public var request: CreateJobRequest
        public var code: String
        public var message: String
        public var batch: String?
    }

    /// A journal line.
    enum Event: Codable {
        case job(Entry)
        case batch(Batch)
        case failed(FailedCreate)
        case cleared(key: String)
        /// A saved session was loaded from this file (replayed from it on resume).
        case loaded(path: String)
    }

    /// What a request shares with the other jobs of its batch: stored once.
    struct Template: Hashable, Codable {
        var inputOriginID: String
        var outputOriginID: String
        var priority: Priority
        var metadata: [String: String]
        var outputs: [OutputSpec]
    }

    /// One job, compactly: a million fit in a few hundred megabytes.
    struct Record {
        var id: String
        var key: String?
        var path: String
        var status: JobStatus
        var progress: Float
        var createdAt: Int64
        var updatedAt: Int64
        var template: Int32
        var batch: Int32
        var retryOf: String?
        var error: JobError?
    }

    private var records: [Record] = []
    private var index: [String: Int32] = [:]
    private var templates: [Template] = []
    private var templateIndex: [Template: Int32] = [:]
    private var batchNames: [String] = []
    private var batchIndex: [String: Int32] = [:]
    public private(set) var batches: [String: Batch] = [:]
    public private(set) var batchOrder: [String] = []
    public private(set) var failures: [FailedCreate] = []
    private let journal: Journal?

    /// A session journaled to `journal` (nil: in memory only).
    public init(journal: URL?) throws {
        self.journal = try journal.map { try Journal(url: $0) }
    }

    /// Rebuilds a session from its journal (after a crash), and goes on journaling to it.
    public static func resume(from url: URL) async throws -> ShellSession {
        let session = try ShellSession(journal: url)
        try await session.load(url)
        return session
    }

    /// Applies journaled events without journaling them again.
    public func load(_ url: URL) throws {
        for event in try Journal.read(Event.self, from: url) { apply(event) }
    }

    public func record(_ job: Job, request: CreateJobRequest, batch: String? = nil, retryOf: String? = nil) throws {
        let known = index[job.id].map { records[Int($0)] }
        let entry = Entry(job: job, request: request, batch: batch ?? known.flatMap(batchName), retryOf: retryOf ?? known?.retryOf)
        try journal?.append(Event.job(entry))
        apply(.job(entry))
    }

    /// A newer state of a job the session knows (status, watch).
    public func update(_ job: Job) throws {
        guard let position = index[job.id], records[Int(position)].updatedAt < job.updatedAt.microseconds else { return }
        var entry = self.entry(records[Int(position)])
        entry.job = job
        try journal?.append(Event.job(entry))
        apply(.job(entry))
    }

    private func batchName(_ record: Record) -> String? { record.batch >= 0 ? batchNames[Int(record.batch)] : nil }

    /// The session entry a record stands for (the job as last seen, without its probe and results:
    /// `show` asks the server for those).
    private func entry(_ record: Record) -> Entry {
        let template = templates[Int(record.template)]
        let request = CreateJobRequest(inputOriginID: template.inputOriginID, inputPath: record.path,
                                       outputOriginID: template.outputOriginID, idempotencyKey: record.key,
                                       priority: template.priority, metadata: template.metadata, outputs: template.outputs)
        var job = Job(id: record.id, status: record.status, progress: Double(record.progress), request: request,
                      createdAt: Timestamp(microseconds: record.createdAt), updatedAt: Timestamp(microseconds: record.updatedAt))
        job.error = record.error
        return Entry(job: job, request: request, batch: batchName(record), retryOf: record.retryOf)
    }

    private func intern(_ request: CreateJobRequest) -> Int32 {
        let template = Template(inputOriginID: request.inputOriginID, outputOriginID: request.outputOriginID,
                                priority: request.priority, metadata: request.metadata, outputs: request.outputs)
        if let known = templateIndex[template] { return known }
        templates.append(template)
        templateIndex[template] = Int32(templates.count - 1)
        return Int32(templates.count - 1)
    }

    private func intern(batch: String?) -> Int32 {
        guard let batch else { return -1 }
        if let known = batchIndex[batch] { return known }
        batchNames.append(batch)
        batchIndex[batch] = Int32(batchNames.count - 1)
        return Int32(batchNames.count - 1)
    }

    public func record(_ batch: Batch) throws {
        try journal?.append(Event.batch(batch))
        apply(.batch(batch))
    }

    public func recordFailure(_ failure: FailedCreate) throws {
        try journal?.append(Event.failed(failure))
        apply(.failed(failure))
    }

    /// A failed create that went through later.
    public func clearFailure(key: String) throws {
        try journal?.append(Event.cleared(key: key))
        apply(.cleared(key: key))
    }

    private func apply(_ event: Event) {
        switch event {
        case let .job(entry):
            let job = entry.job
            let record = Record(id: job.id, key: entry.request.idempotencyKey, path: entry.request.inputPath, status: job.status,
                                progress: Float(job.progress), createdAt: job.createdAt.microseconds,
                                updatedAt: job.updatedAt.microseconds, template: intern(entry.request),
                                batch: intern(batch: entry.batch), retryOf: entry.retryOf, error: job.error)
            if let position = index[job.id] {
                records[Int(position)] = record
            } else {
                index[job.id] = Int32(records.count)
                records.append(record)
            }
        case let .batch(batch):
            if batches[batch.name] == nil { batchOrder.append(batch.name) }
            batches[batch.name] = batch
        case let .failed(failure):
            failures.removeAll { $0.request.idempotencyKey == failure.request.idempotencyKey }
            failures.append(failure)
        case let .cleared(key):
            failures.removeAll { $0.request.idempotencyKey == key }
        case let .loaded(path):
            if let data = FileManager.default.contents(atPath: path) { _ = try? merge(data) }
        }
    }

    /// The session's jobs in the order they were first seen, optionally one batch's or one status's.
    public func jobs(batch: String? = nil, status: JobStatus? = nil) -> [Entry] {
        let wanted: Int32? = batch.map { batchIndex[$0] ?? -2 }
        return records.filter { record in
            (wanted == nil || record.batch == wanted) && (status == nil || record.status == status)
        }.map(entry)
    }

    // MARK: - session save / load

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

    private func merge(_ data: Data) throws -> (jobs: Int, batches: Int, variables: [String: String]) {
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
        for i in 0..<count {
            let record = Record(
                id: columns.id[i], key: columns.key[i].isEmpty ? nil : columns.key[i], path: columns.path[i],
                status: JobStatus(rawValue: columns.status[i]) ?? .pending, progress: columns.progress[i],
                createdAt: columns.created[i], updatedAt: columns.updated[i], template: templateMap[Int(columns.template[i])],
                batch: columns.batch[i] < 0 ? -1 : batchMap[Int(columns.batch[i])],
                retryOf: columns.retryOf[i].isEmpty ? nil : columns.retryOf[i],
                error: columns.errorCode[i].isEmpty ? nil : JobError(code: JobError.Code(rawValue: columns.errorCode[i]) ?? .internal,
                                                                     message: columns.errorMessage[i]))
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

    /// How many jobs the session holds.
    public var count: Int { records.count }

    /// The batch's jobs without those a retry has replaced: what a batch amounts to now.
    public func current(batch: String? = nil) -> [Entry] {
        let retried = Set(records.compactMap(\.retryOf))
        return jobs(batch: batch).filter { !retried.contains($0.job.id) }
    }

    /// How many retries of `jobID` were made already.
    public func retries(of jobID: String) -> Int {
        records.filter { $0.retryOf == jobID }.count
    }
}
