import Foundation
import BatchKit
import TranscodelyAPI

/// The attempts of one item as `show` prints them (and `why` may): the original first, then each
/// retry with its key, the job shown marked.
enum RetryChainText {
    /// `chain` lines for `job` given its chain in the session (`ShellSession.chain(of:)`), each
    /// attempt's id, key and status as last seen; no lines when there is nothing to chain. A retry
    /// whose earlier attempts the session does not know says which retry it is, from its key.
    static func lines(_ chain: [ShellSession.Entry], current job: Job, label: String = "chain     ") -> [String] {
        guard chain.count > 1 else {
            guard let key = job.idempotencyKey, RetryFailed.retryNumber(of: key) > 0 else { return [] }
            let change = RetryFailed.change(of: key).map { ", changed (\($0))" } ?? ""
            return [label + "retry \(RetryFailed.retryNumber(of: key)) of \(RetryFailed.original(of: key))\(change); this session does not know the earlier attempts"]
        }
        let rows = chain.map { entry -> (id: String, key: String, status: String) in
            let status = entry.job.id == job.id ? job.status : entry.job.status
            return (entry.job.id, entry.job.idempotencyKey ?? entry.request.idempotencyKey ?? "-", status.rawValue)
        }
        let idWidth = rows.map(\.id.count).max() ?? 0
        let keyWidth = rows.map(\.key.count).max() ?? 0
        let indent = String(repeating: " ", count: label.count)
        return rows.enumerated().map { index, row in
            let mark = row.id == job.id ? "  (this job)" : ""
            let line = "\(row.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  \(row.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0))  \(row.status)\(mark)"
            return (index == 0 ? label : indent) + line
        }
    }
}
