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
    }

    public private(set) var order: [String] = []
    public private(set) var entries: [String: Entry] = [:]
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
        let entry = Entry(job: job, request: request, batch: batch ?? entries[job.id]?.batch, retryOf: retryOf ?? entries[job.id]?.retryOf)
        try journal?.append(Event.job(entry))
        apply(.job(entry))
    }

    /// A newer state of a job the session knows (status, watch).
    public func update(_ job: Job) throws {
        guard var entry = entries[job.id], entry.job.updatedAt < job.updatedAt else { return }
        entry.job = job
        try journal?.append(Event.job(entry))
        apply(.job(entry))
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
            if entries[entry.job.id] == nil { order.append(entry.job.id) }
            entries[entry.job.id] = entry
        case let .batch(batch):
            if batches[batch.name] == nil { batchOrder.append(batch.name) }
            batches[batch.name] = batch
        case let .failed(failure):
            failures.removeAll { $0.request.idempotencyKey == failure.request.idempotencyKey }
            failures.append(failure)
        case let .cleared(key):
            failures.removeAll { $0.request.idempotencyKey == key }
        }
    }

    /// The session's jobs in the order they were first seen, optionally one batch's or one status's.
    public func jobs(batch: String? = nil, status: JobStatus? = nil) -> [Entry] {
        order.compactMap { entries[$0] }.filter { entry in
            (batch == nil || entry.batch == batch) && (status == nil || entry.job.status == status)
        }
    }

    /// The batch's jobs without those a retry has replaced: what a batch amounts to now.
    public func current(batch: String? = nil) -> [Entry] {
        let retried = Set(entries.values.compactMap(\.retryOf))
        return jobs(batch: batch).filter { !retried.contains($0.job.id) }
    }

    /// Whether a retry of `jobID` exists.
    public func isRetried(_ jobID: String) -> Bool { entries.values.contains { $0.retryOf == jobID } }

    /// How many retries of `jobID` were made already.
    public func retries(of jobID: String) -> Int {
        entries.values.filter { $0.retryOf == jobID }.count
    }
}
