import TranscodelyAPI

/// What a create came to.
public enum CreateOutcome: Sendable {
    /// A new job.
    case created(Job)
    /// The key was used before with the same parameters: that job, unchanged.
    case replayed(Job)
    /// The key was used before with different parameters.
    case conflict(key: String, existingJobID: String)
}
