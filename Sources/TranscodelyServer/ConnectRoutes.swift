import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

/// The API of API.md over HTTP: every unary Connect method of JobService and OriginService, each
/// through one pipeline — content type, deadline, authentication, rate limit, body, decode, call,
/// reply — so that every method answers errors and headers the same way.
struct ConnectRoutes: Sendable {
    let engine: Engine
    let metrics: ServerMetrics
    let logger: Logger
    let draining: Draining
    /// The largest request body accepted, before and after gzip.
    var bodyLimit = 1 << 20

    /// What a method returns: its message, and whether it replayed an earlier create.
    struct Answer<Message: Encodable & Sendable>: Sendable {
        var message: Message
        var replayed = false
    }

    func register(on router: Router<BasicRequestContext>) {
        let jobs = "/transcodely.v1.JobService/"
        unary(router, jobs + "Create", CreateJobRequest.self) { request, caller in
            switch try await engine.createJob(request, by: caller) {
            case let .created(job): Answer(message: JobResponse(job: job))
            case let .replayed(job): Answer(message: JobResponse(job: job), replayed: true)
            case .conflict: throw ConnectError.internalError("a conflicting create was answered as a success")
            }
        }
        unary(router, jobs + "Get", JobIDRequest.self) { request, caller in
            Answer(message: JobResponse(job: try await engine.job(id: request.id, by: caller)))
        }
        unary(router, jobs + "List", ListJobsRequest.self) { request, caller in
            Answer(message: try await engine.listJobs(request, by: caller))
        }
        unary(router, jobs + "Cancel", JobIDRequest.self) { request, caller in
            Answer(message: JobResponse(job: try await engine.cancelJob(id: request.id, by: caller)))
        }
        unary(router, jobs + "GetLog", JobIDRequest.self) { request, caller in
            Answer(message: try await engine.jobLog(id: request.id, by: caller))
        }
        let origins = "/transcodely.v1.OriginService/"
        unary(router, origins + "List", ListOriginsRequest.self) { _, _ in
            Answer(message: ListOriginsResponse(origins: engine.listOrigins()))
        }
        unary(router, origins + "Get", OriginIDRequest.self) { request, _ in
            Answer(message: OriginResponse(origin: try engine.origin(id: request.id)))
        }
        unary(router, origins + "ListFiles", ListFilesRequest.self) { request, _ in
            Answer(message: try engine.listFiles(request))
        }
        let webhooks = "/transcodely.v1.WebhookService/"
        unary(router, webhooks + "Create", CreateWebhookRequest.self) { request, caller in
            Answer(message: WebhookResponse(webhook: try await engine.createWebhook(request, by: caller)))
        }
        unary(router, webhooks + "List", EmptyRequest.self) { _, caller in
            Answer(message: ListWebhooksResponse(webhooks: try await engine.listWebhooks(by: caller)))
        }
        unary(router, webhooks + "Delete", WebhookIDRequest.self) { request, caller in
            try await engine.deleteWebhook(id: request.id, by: caller)
            return Answer(message: EmptyRequest())
        }
        // Unknown methods: the router does not fall back from a known service's node to "/**",
        // so each service gets its own wildcard too.
        for fallback in ["/**", jobs + "*", origins + "*", webhooks + "*"] {
            router.post(RouterPath(fallback)) { request, _ -> Response in
                let error = ConnectError(.unimplemented, "no method \(request.uri.path); the API is described at /openapi.yaml")
                metrics.request(method: "unknown", code: error.code.rawValue)
                return ConnectReply.error(error)
            }
        }
    }

    private func unary<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        _ router: Router<BasicRequestContext>, _ path: String, _ type: Input.Type,
        _ call: @escaping @Sendable (Input, AppIdentity) async throws -> Answer<Output>
    ) {
        let method = String(path.dropFirst("/transcodely.v1.".count))
        router.post(RouterPath(path)) { request, _ -> Response in
            var headers = HTTPFields()
            do {
                let response = try await handle(request, &headers, call)
                metrics.request(method: method, code: "ok")
                return response
            } catch let refusal as UnsupportedMediaType {
                metrics.request(method: method, code: "unsupported_media_type")
                return ConnectReply.error(refusal.error, status: 415)
            } catch {
                let failure = describe(error, method: method)
                metrics.request(method: method, code: failure.code.rawValue)
                return ConnectReply.error(failure, headers: headers)
            }
        }
    }

    private func handle<Input: Decodable & Sendable, Output: Encodable & Sendable>(
        _ request: Request, _ headers: inout HTTPFields,
        _ call: @escaping @Sendable (Input, AppIdentity) async throws -> Answer<Output>
    ) async throws -> Response {
        if draining.value { throw ConnectError.unavailable("the engine is shutting down; retry in a moment") }
        if let problem = ConnectRequestBody.checkContentType(request) { throw UnsupportedMediaType(error: problem) }
        let deadline = try Self.deadline(request)
        let caller = try await engine.authenticate(key: Self.bearer(request), orgID: request.headers[.organizationID])
        if let decision = try await engine.admit(caller) {
            headers[.rateLimitPolicy] = "\"default\";q=\(decision.rate);w=1"
            headers[.rateLimit] = "\"default\";r=\(decision.remaining);t=\(decision.resetSeconds)"
            if !decision.allowed {
                headers[.retryAfter] = String(decision.retryAfterSeconds)
                throw ConnectError(.resourceExhausted, "rate limit of \(decision.rate) requests/s (burst \(decision.burst)) exceeded; retry after \(decision.retryAfterSeconds) s")
            }
        }
        let body = try await ConnectRequestBody.read(request, limit: bodyLimit)
        let input = try WireCoding.decodeRequest(Input.self, from: body)
        let answer = try await Self.within(deadline) { try await call(input, caller) }
        if answer.replayed { headers[.idempotentReplayed] = "true" }
        return try ConnectReply.message(answer.message, headers: headers)
    }

    /// Any error as a Connect error; what is not one is logged and answered as `internal`, without
    /// its text (which could hold paths or keys).
    private func describe(_ error: any Error, method: String) -> ConnectError {
        if let error = error as? ConnectError { return error }
        if error is CancellationError { return ConnectError(.canceled, "the request was cancelled") }
        let reference = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        logger.error("\(method) failed [ref \(reference)]: \(String(reflecting: type(of: error)))")
        return .internalError("internal error (reference \(reference)); see the engine log")
    }

    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// `Connect-Timeout-Ms`: at most 10 digits of milliseconds (Connect spec).
    static func deadline(_ request: Request) throws(ConnectError) -> Duration? {
        guard let text = request.headers[.connectTimeout] else { return nil }
        guard text.count <= 10, let ms = Int64(text), ms > 0 else {
            throw .invalidArgument("Connect-Timeout-Ms must be a positive whole number of milliseconds, got \"\(text)\"")
        }
        return .milliseconds(ms)
    }

    /// Runs `body`, answering `deadline_exceeded` when the deadline passes first.
    static func within<T: Sendable>(_ deadline: Duration?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let deadline else { return try await body() }
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: deadline)
                throw ConnectError(.deadlineExceeded, "the call took longer than its Connect-Timeout-Ms of \(deadline.milliseconds) ms")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
