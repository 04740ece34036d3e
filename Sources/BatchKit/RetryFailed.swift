import Foundation
import TranscodelyAPI

/// What `retry-failed` sends again: creates that failed go out again under their own key (safe:
/// the key makes a repeat harmless); jobs that failed are resubmitted under a derived key
/// `KEY~retry-N`, the Nth retry of that job, so the original stays on record as failed and the
/// retry is a new job that points back to it.
public enum RetryFailed {
    /// Items whose create failed, unchanged.
    public static func creates(_ report: BatchRunner.Report) -> [BatchItem] {
        zip(report.items, report.outcomes).compactMap { item, outcome in
            if case .failed = outcome { return item }
            return nil
        }
    }

    /// A failed job's resubmission: same request, key `KEY~retry-N` where N is one more than the
    /// retries already made of it.
    public static func resubmission(of job: Job, request: CreateJobRequest, previousRetries: Int, index: Int) throws(ConnectError) -> BatchItem {
        let base = job.idempotencyKey.map(Self.original(of:)) ?? "job-\(job.id)"
        var copy = request
        copy.idempotencyKey = "\(base)~retry-\(previousRetries + 1)"
        try CreateJobRequest.validate(idempotencyKey: copy.idempotencyKey!)
        return BatchItem(index: index, request: copy, retryOf: job.id)
    }

    /// The key a retry key was derived from: `a~retry-2` → `a`.
    public static func original(of key: String) -> String {
        guard let range = key.range(of: "~retry-", options: .backwards),
              Int(key[range.upperBound...]) != nil else { return key }
        return String(key[..<range.lowerBound])
    }

    /// Which retry a key is: `a~retry-2` → 2, `a` → 0.
    public static func retryNumber(of key: String) -> Int {
        guard let range = key.range(of: "~retry-", options: .backwards) else { return 0 }
        return Int(key[range.upperBound...]) ?? 0
    }
}
