import TranscodelyAPI

/// What a Create came to: the job, and whether it already existed under its idempotency key.
public struct CreateResult: Sendable, Hashable {
    public var job: Job
    /// The server answered `Idempotent-Replayed: true`: nothing new was created.
    public var replayed: Bool
    /// Attempts it took, the first included.
    public var attempts: Int
    /// The headers of the answer (rate-limit state).
    public var info: ResponseInfo

    public init(job: Job, replayed: Bool, attempts: Int, info: ResponseInfo) {
        self.job = job
        self.replayed = replayed
        self.attempts = attempts
        self.info = info
    }
}

/// `transcodely.v1.JobService`.
public protocol JobServiceClient: Sendable {
    func create(_ request: CreateJobRequest) async throws(ClientError) -> CreateResult
    func get(id: String) async throws(ClientError) -> Job
    func list(_ request: ListJobsRequest) async throws(ClientError) -> ListJobsResponse
    func cancel(id: String) async throws(ClientError) -> Job
    /// `GetLog` (an addition of the local engine): `unimplemented` or `not_found`-for-the-method from
    /// an API without it.
    func log(id: String) async throws(ClientError) -> JobLog
}

/// JobService over HTTP. Reads are retried; a Create is retried after any retryable failure only
/// when it carries an idempotency key (the key makes a repeat harmless), otherwise only after a
/// 429, which proves it did not run.
public struct HTTPJobServiceClient: JobServiceClient {
    public var transport: ConnectTransport

    public init(_ transport: ConnectTransport) { self.transport = transport }

    public func create(_ request: CreateJobRequest) async throws(ClientError) -> CreateResult {
        let (response, info, attempts) = try await transport.call(
            "JobService/Create", body: ConnectTransport.body(request), as: JobResponse.self,
            retry: request.idempotencyKey == nil ? .refusedOnly : .safe)
        return CreateResult(job: response.job, replayed: info.replayed, attempts: attempts, info: info)
    }

    public func get(id: String) async throws(ClientError) -> Job {
        try await transport.call("JobService/Get", body: ConnectTransport.body(JobIDRequest(id: id)),
                                 as: JobResponse.self, retry: .safe).0.job
    }

    public func list(_ request: ListJobsRequest) async throws(ClientError) -> ListJobsResponse {
        try await transport.call("JobService/List", body: ConnectTransport.body(request),
                                 as: ListJobsResponse.self, retry: .safe).0
    }

    /// Not retried after an ambiguous failure: a repeated cancel of a job the first one ended
    /// answers `failed_precondition`, which would hide that the first succeeded.
    public func cancel(id: String) async throws(ClientError) -> Job {
        try await transport.call("JobService/Cancel", body: ConnectTransport.body(JobIDRequest(id: id)),
                                 as: JobResponse.self, retry: .refusedOnly).0.job
    }

    public func log(id: String) async throws(ClientError) -> JobLog {
        try await transport.call("JobService/GetLog", body: ConnectTransport.body(JobIDRequest(id: id)),
                                 as: JobLog.self, retry: .safe).0
    }
}
