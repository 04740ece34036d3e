import Foundation
import TranscodelyAPI

/// What turns an input file into a job's outputs. The engine has two: `ffmpeg` (real encoding) and
/// `simulate` (same states, timing rules and progress, no media: for exploring and load tests).
public protocol MediaEncoder: Sendable {
    /// `ffmpeg` or `simulate`, as `--encoder` spells it.
    var name: String { get }

    /// The tool and its version, as an attempt's log names it: `ffmpeg 5.1.6`, `simulate`.
    var tool: String { get }

    /// Refuses at Create what this encoder can never do (a codec the local ffmpeg lacks).
    func check(_ request: CreateJobRequest) throws(ConnectError)

    /// Reads what the input is. Throws `JobFailure` for inputs that cannot be used; what the tool
    /// said goes to `log`.
    func probe(_ input: URL, job: Job, log: AttemptLog) async throws -> MediaInfo

    /// Produces every output of the job inside `work.staging` (the attempt's own folder, which the
    /// engine made empty), reporting progress (0–100), and returns the results with their paths as
    /// they will be once published (`jobs/JOB_ID/…`, `work.jobFolder`). It writes nowhere else and
    /// moves nothing: the engine publishes the folder after the store recorded the completion, and
    /// removes it otherwise (`OutputStaging`). Throws `JobFailure` when the encode fails,
    /// `CancellationError` when cancelled; it has stopped writing when it returns or throws.
    /// What the tool said goes to `work.log`.
    func encode(_ work: EncodeWork, progress: @escaping @Sendable (Double) async -> Void) async throws -> [OutputResult]

    /// Cleans up after engines that stopped abruptly: by default `OutputStaging.sweep`, which
    /// removes the staging of attempts whose engine died and stops their processes on this
    /// machine, never an attempt still running here or on another node. Called at start and
    /// hourly; file work that may be long (a shared file system, large folders) belongs on a
    /// thread of its own, not Swift's cooperative pool.
    func recover(outputRoots: [URL]) async
}

extension MediaEncoder {
    public var tool: String { name }
    public func check(_ request: CreateJobRequest) throws(ConnectError) {}
    public func recover(outputRoots: [URL]) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                OutputStaging.sweep(outputRoots: outputRoots)
                done.resume()
            }
        }
    }
}
