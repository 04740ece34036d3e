import ShellKit
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyClient
import TranscodelyShell

/// A job client that counts the creates and Lists it was asked for, the moment they are asked.
final class CountingJobs: JobServiceClient {
    private let inner: any JobServiceClient
    private let createCount = Atomic<Int>(0)
    private let listCount = Atomic<Int>(0)

    init(_ inner: any JobServiceClient) { self.inner = inner }

    /// Creates asked for so far.
    var creates: Int { createCount.load(ordering: .relaxed) }
    /// Lists asked for so far.
    var lists: Int { listCount.load(ordering: .relaxed) }

    func create(_ request: CreateJobRequest) async throws(ClientError) -> CreateResult {
        createCount.add(1, ordering: .relaxed)
        return try await inner.create(request)
    }

    func list(_ request: ListJobsRequest) async throws(ClientError) -> ListJobsResponse {
        listCount.add(1, ordering: .relaxed)
        return try await inner.list(request)
    }

    func get(id: String) async throws(ClientError) -> Job { try await inner.get(id: id) }
    func cancel(id: String) async throws(ClientError) -> Job { try await inner.cancel(id: id) }
    func log(id: String) async throws(ClientError) -> JobLog { try await inner.log(id: id) }
}

/// An origin client that counts the ListFiles it was asked for.
final class CountingOrigins: OriginServiceClient {
    private let inner: any OriginServiceClient
    private let listFilesCount = Atomic<Int>(0)

    init(_ inner: any OriginServiceClient) { self.inner = inner }

    /// ListFiles asked for so far.
    var listFiles: Int { listFilesCount.load(ordering: .relaxed) }

    func list() async throws(ClientError) -> [Origin] { try await inner.list() }
    func get(id: String) async throws(ClientError) -> Origin { try await inner.get(id: id) }
    func listFiles(_ request: ListFilesRequest) async throws(ClientError) -> ListFilesResponse {
        listFilesCount.add(1, ordering: .relaxed)
        return try await inner.listFiles(request)
    }
}

/// A second shell over a fixture's engine and session, whose job and origin calls are counted and
/// whose commands wait on `clock`.
struct CountedShell {
    let jobs: CountingJobs
    let origins: CountingOrigins
    let context: TranscodelyContext
    let shell: Shell<TranscodelyContext>
    let transcript: Transcript

    init(_ f: ShellFixture, clock: TimeSource = .system) {
        jobs = CountingJobs(f.context.jobs)
        origins = CountingOrigins(f.context.origins)
        context = TranscodelyContext(jobs: jobs, origins: origins, webhooks: f.context.webhooks, session: f.context.session,
                                     rateLimit: f.context.rateLimit, clock: clock)
        let (output, transcript) = ShellOutput.capture()
        self.transcript = transcript
        shell = TranscodelyCommands.shell(context, output: output)
    }

    /// Runs a script; returns its status, and what it printed since the last call.
    func run(_ script: String, file: String = "t.tcly") async -> (status: Int32, output: String, errors: String) {
        let before = (transcript.output.count, transcript.errors.count)
        let status = await shell.run(script, file: file)
        return (status, String(transcript.output.dropFirst(before.0)), String(transcript.errors.dropFirst(before.1)))
    }
}
