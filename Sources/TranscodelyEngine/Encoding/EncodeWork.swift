import Foundation
import TranscodelyAPI

/// One encode: the job, its probed input and where its outputs go.
public struct EncodeWork: Sendable {
    public var job: Job
    public var input: URL
    public var info: MediaInfo
    /// Where the encoder writes this attempt's outputs: its own staging folder in the output
    /// origin (`OutputStaging.folder`, `.tcly-tmp/JOB_ID.ATTEMPT[.TOKEN8]`), empty at the start.
    public var staging: URL
    /// From 1: the attempt this encode is.
    public var attempt: Int
    /// Where the encoder's own words for this attempt go.
    public var log: AttemptLog
    /// Where these outputs are once published, relative to the output origin: `jobs/<job id>`.
    /// Result paths start with it.
    public var jobFolder: String { "jobs/\(job.id)" }
}
