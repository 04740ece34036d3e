import Foundation
import TranscodelyAPI

/// One encode: the job, its probed input and where its outputs go.
public struct EncodeWork: Sendable {
    public var job: Job
    public var input: URL
    public var info: MediaInfo
    /// The output origin's folder.
    public var outputRoot: URL
    /// Where the encoder's own words for this attempt go.
    public var log: AttemptLog
    /// Where this job's outputs go, relative to the output origin: `jobs/<job id>`.
    public var jobFolder: String { "jobs/\(job.id)" }
}
