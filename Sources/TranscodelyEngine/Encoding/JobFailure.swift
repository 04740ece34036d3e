import Foundation
import TranscodelyAPI

/// A job failure as the engine reports it: the API's code and sentence, and what it knows about the
/// failure — its category, whether the same request may succeed later, the phase and the position
/// in the input where it broke. Category and retryability default to what the code implies.
public struct JobFailure: Error, Sendable, Hashable {
    public var code: JobError.Code
    public var message: String
    public var category: FailureCategory
    public var retryable: Bool
    public var phase: FailurePhase
    /// Seconds into the input, when known.
    public var positionSeconds: Double?
    /// What probing read of the input, when the failure was found after it could (so the job
    /// shows the duration a position is measured against).
    public var input: MediaInfo?

    public init(_ code: JobError.Code, _ message: String, category: FailureCategory? = nil, retryable: Bool? = nil,
                phase: FailurePhase, positionSeconds: Double? = nil, input: MediaInfo? = nil) {
        self.code = code
        self.message = message
        self.category = category ?? code.category
        self.retryable = retryable ?? code.retryable ?? false
        self.phase = phase
        self.positionSeconds = positionSeconds.map { ($0 * 1000).rounded() / 1000 }
        self.input = input
    }

    /// The wire error of this failure in attempt `attempt`.
    public func jobError(attempt: Int?) -> JobError {
        JobError(code: code, message: message, category: category, retryable: retryable, phase: phase,
                 positionSeconds: positionSeconds, attempt: attempt)
    }
}
