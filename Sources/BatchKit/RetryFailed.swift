import Crypto
import Foundation
import TranscodelyAPI

/// What `retry-failed` sends again: creates that failed go out again under their own key (safe:
/// the key makes a repeat harmless); jobs that failed are resubmitted under a key derived from the
/// original's, so the original stays on record as failed and the retry is a new job that points
/// back to it.
///
/// The derived key is a function of the chain and the request only, never of what a session
/// happens to remember, so a replayed script derives the same keys and hits the same jobs:
///
/// - `ROOT~retry-N`: the same request as the original's, N the retry's place in the chain
///   (the retry of `ROOT~retry-1` is `ROOT~retry-2`).
/// - `ROOT~retry-N+XXXXXXXX`: a request that differs from the original's (other outputs, another
///   priority), `XXXXXXXX` the first 8 hex digits of the SHA-256 of the request sent (its
///   canonical form, key left out). A changed retry never shares a key with the unchanged retry
///   at the same place (a different request under one key would be refused as a conflict), and two
///   different changes get two keys; the same change asked twice is the same job. A retry of a
///   changed retry keeps the change, so it is `ROOT~retry-N+…` too.
///
/// `ROOT` is the original's key (`job-ID` when it had none).
public enum RetryFailed {
    /// Items whose create failed, unchanged.
    public static func creates(_ report: BatchRunner.Report) -> [BatchItem] {
        zip(report.items, report.outcomes).compactMap { item, outcome in
            if case .failed = outcome { return item }
            return nil
        }
    }

    /// A failed job's resubmission: `request` (what made the job) again, or `changed` when a
    /// change was asked for, under the key derived as the type's documentation says.
    public static func resubmission(of job: Job, request: CreateJobRequest, changed: CreateJobRequest? = nil,
                                    index: Int) throws(ConnectError) -> BatchItem {
        var copy = changed ?? request
        copy.idempotencyKey = key(retrying: job, request: request, sending: copy)
        try CreateJobRequest.validate(idempotencyKey: copy.idempotencyKey!)
        return BatchItem(index: index, request: copy, retryOf: job.id)
    }

    /// The key of a retry of `job` (made by `request`) that sends `sent`.
    public static func key(retrying job: Job, request: CreateJobRequest, sending sent: CreateJobRequest) -> String {
        let parent = job.idempotencyKey ?? "job-\(job.id)"
        let number = retryNumber(of: parent) + 1
        var original = request
        original.idempotencyKey = nil
        var asked = sent
        asked.idempotencyKey = nil
        let isChanged = change(of: parent) != nil || original.canonicalForm != asked.canonicalForm
        return "\(Self.original(of: parent))~retry-\(number)" + (isChanged ? "+" + digest(of: asked) : "")
    }

    /// The 8 hex digits that mark a changed request in a retry key.
    public static func digest(of request: CreateJobRequest) -> String {
        var basis = request
        basis.idempotencyKey = nil
        return SHA256.hash(data: Data(basis.canonicalForm.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// The key a retry key was derived from: `a~retry-2` → `a`, `a~retry-2+1f2e3d4c` → `a`.
    public static func original(of key: String) -> String {
        guard let (root, _, _) = parse(key) else { return key }
        return root
    }

    /// Which retry a key is: `a~retry-2` → 2, `a~retry-2+1f2e3d4c` → 2, `a` → 0.
    public static func retryNumber(of key: String) -> Int {
        parse(key)?.number ?? 0
    }

    /// The change digest of a changed retry's key: `a~retry-2+1f2e3d4c` → `1f2e3d4c`; nil for an
    /// unchanged retry or an original.
    public static func change(of key: String) -> String? {
        parse(key)?.change
    }

    /// `ROOT~retry-N[+XXXXXXXX]` taken apart; nil when the key is not a retry key.
    private static func parse(_ key: String) -> (root: String, number: Int, change: String?)? {
        guard let range = key.range(of: "~retry-", options: .backwards) else { return nil }
        let tail = key[range.upperBound...]
        let parts = tail.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        guard let number = Int(parts[0]), number > 0, parts[0].allSatisfy(\.isASCII) else { return nil }
        var change: String?
        if parts.count == 2 {
            guard parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit) else { return nil }
            change = String(parts[1])
        }
        return (String(key[..<range.lowerBound]), number, change)
    }
}
