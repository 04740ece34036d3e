import Synchronization
import TranscodelyAPI
import TranscodelyClient

/// A job client that counts the creates it was asked for, the moment they are asked: a test sees
/// a request the pacer let through before its answer comes.
public final class CountingCreates: JobServiceClient {
    private let inner: any JobServiceClient
    private let started = Atomic<Int>(0)
    private let answered = Atomic<Int>(0)

    public init(_ inner: any JobServiceClient) { self.inner = inner }

    /// Creates asked for so far.
    public var count: Int { started.load(ordering: .relaxed) }

    /// Whether `total` creates have been asked for and answered.
    public func finished(_ total: Int) -> Bool { answered.load(ordering: .relaxed) >= total }

    public func create(_ request: CreateJobRequest) async throws(ClientError) -> CreateResult {
        started.add(1, ordering: .relaxed)
        defer { answered.add(1, ordering: .relaxed) }
        return try await inner.create(request)
    }

    public func get(id: String) async throws(ClientError) -> Job { try await inner.get(id: id) }
    public func list(_ request: ListJobsRequest) async throws(ClientError) -> ListJobsResponse { try await inner.list(request) }
    public func cancel(id: String) async throws(ClientError) -> Job { try await inner.cancel(id: id) }
    public func log(id: String) async throws(ClientError) -> JobLog { try await inner.log(id: id) }
}
