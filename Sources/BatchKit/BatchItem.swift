import TranscodelyAPI

/// One create of a batch, with its idempotency key already decided.
public struct BatchItem: Sendable, Hashable {
    /// Its position in the batch, from 0.
    public var index: Int
    public var request: CreateJobRequest
    /// The job this item re-runs (retry-failed), for lineage.
    public var retryOf: String?

    public init(index: Int, request: CreateJobRequest, retryOf: String? = nil) {
        self.index = index
        self.request = request
        self.retryOf = retryOf
    }

    public var key: String { request.idempotencyKey ?? "" }
}

/// What one create came to.
public enum ItemOutcome: Sendable, Hashable {
    /// A new job.
    case created(Job, attempts: Int)
    /// The key's job already existed (`Idempotent-Replayed`): nothing new was created.
    case existed(Job, attempts: Int)
    /// Every attempt failed: the last error's code and message.
    case failed(code: String, message: String, attempts: Int)
    /// The batch was cancelled before this item was sent.
    case notSent

    /// The job, when there is one.
    public var job: Job? {
        switch self {
        case let .created(job, _), let .existed(job, _): job
        case .failed, .notSent: nil
        }
    }
}

/// A batch's counts, as the summary line shows them.
public struct BatchCounts: Sendable, Hashable {
    public var created = 0
    public var existed = 0
    public var failed = 0
    public var notSent = 0
    /// Items answered so far.
    public var done: Int { created + existed + failed }

    public init() {}

    mutating func add(_ outcome: ItemOutcome) {
        switch outcome {
        case .created: created += 1
        case .existed: existed += 1
        case .failed: failed += 1
        case .notSent: notSent += 1
        }
    }
}
