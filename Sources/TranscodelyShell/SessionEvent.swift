import Foundation
import TranscodelyAPI

extension ShellSession {
    /// A journal line.
    enum Event: Codable {
        case job(Entry)
        case batch(Batch)
        case failed(FailedCreate)
        case cleared(key: String)
        /// A saved session was loaded from this file (replayed from it on resume).
        case loaded(path: String)
    }

    /// Changes the state as `event` says (journaled already, or read back from the journal).
    func apply(_ event: Event) {
        switch event {
        case let .job(entry):
            let job = entry.job
            let record = Record(id: job.id, key: entry.request.idempotencyKey, path: entry.request.inputPath, status: job.status,
                                progress: Float(job.progress), createdAt: job.createdAt.microseconds,
                                updatedAt: job.updatedAt.microseconds, template: intern(entry.request),
                                batch: intern(batch: entry.batch), retryOf: entry.retryOf, error: job.error,
                                viaCall: entry.viaCall == true)
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
}
