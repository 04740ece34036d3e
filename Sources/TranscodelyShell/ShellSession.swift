import Foundation
import ShellKit
import TranscodelyAPI

/// What a shell session remembers: every job it touched (with the request that made it, for
/// retries and `save`), every batch and the creates that failed. Each change is appended to the
/// journal before it is shown, so a crash of the shell loses no job id (`tcly --resume`).
///
/// This file holds the state and what commands ask of it; `SessionEvent.swift` the journal's
/// lines and how each changes the state; `SessionSnapshot.swift` the columnar `session save` form.
public actor ShellSession {
    /// One job of the session.
    public struct Entry: Sendable, Codable, Hashable {
        public var job: Job
        public var request: CreateJobRequest
        /// The batch it was created by, if any.
        public var batch: String?
        /// The job it retries (retry-failed), if any.
        public var retryOf: String?
        /// True when `call JobService/Create` made it (`save` writes it back as that call).
        public var viaCall: Bool? = nil
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
        var viaCall = false
    }

    var records: [Record] = []
    var index: [String: Int32] = [:]
    var templates: [Template] = []
    var templateIndex: [Template: Int32] = [:]
    var batchNames: [String] = []
    var batchIndex: [String: Int32] = [:]
    public internal(set) var batches: [String: Batch] = [:]
    public internal(set) var batchOrder: [String] = []
    public internal(set) var failures: [FailedCreate] = []
    let journal: Journal?

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

    public func record(_ job: Job, request: CreateJobRequest, batch: String? = nil, retryOf: String? = nil, viaCall: Bool = false) throws {
        let known = index[job.id].map { records[Int($0)] }
        let entry = Entry(job: job, request: request, batch: batch ?? known.flatMap(batchName), retryOf: retryOf ?? known?.retryOf,
                          viaCall: viaCall || known?.viaCall == true ? true : nil)
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

    func batchName(_ record: Record) -> String? { record.batch >= 0 ? batchNames[Int(record.batch)] : nil }

    /// The session entry a record stands for (the job as last seen, without its probe and results:
    /// `show` asks the server for those).
    func entry(_ record: Record) -> Entry {
        let template = templates[Int(record.template)]
        let request = CreateJobRequest(inputOriginID: template.inputOriginID, inputPath: record.path,
                                       outputOriginID: template.outputOriginID, idempotencyKey: record.key,
                                       priority: template.priority, metadata: template.metadata, outputs: template.outputs)
        var job = Job(id: record.id, status: record.status, progress: Double(record.progress), request: request,
                      createdAt: Timestamp(microseconds: record.createdAt), updatedAt: Timestamp(microseconds: record.updatedAt))
        job.error = record.error
        return Entry(job: job, request: request, batch: batchName(record), retryOf: record.retryOf, viaCall: record.viaCall ? true : nil)
    }

    func intern(_ request: CreateJobRequest) -> Int32 {
        let template = Template(inputOriginID: request.inputOriginID, outputOriginID: request.outputOriginID,
                                priority: request.priority, metadata: request.metadata, outputs: request.outputs)
        if let known = templateIndex[template] { return known }
        templates.append(template)
        templateIndex[template] = Int32(templates.count - 1)
        return Int32(templates.count - 1)
    }

    func intern(batch: String?) -> Int32 {
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

    /// The session's jobs in the order they were first seen, optionally one batch's or one status's.
    public func jobs(batch: String? = nil, status: JobStatus? = nil) -> [Entry] {
        let wanted: Int32? = batch.map { batchIndex[$0] ?? -2 }
        return records.filter { record in
            (wanted == nil || record.batch == wanted) && (status == nil || record.status == status)
        }.map(entry)
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
