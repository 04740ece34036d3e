import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Timekeeping
import TranscodelyAPI

/// The local engine: the Transcodely API's behaviour, durable in its store (SQLite by default), with
/// its own workers.
/// The HTTP server (TranscodelyServer) is a thin layer over it; run it as a `Service` so that
/// its workers start and stop with the server.
public final class Engine: Service, Sendable {
    /// How to build an engine.
    public struct Configuration: Sendable {
        /// Holds `engine.sqlite` and the local origins' folders.
        public var dataDirectory: URL
        /// Origins besides `ori_local_input`/`ori_local_output`: id → folder.
        public var origins: [String: URL] = [:]
        public var encoder: any MediaEncoder = SimulatedEncoder()
        /// How many jobs run at once.
        public var workers: Int = 4
        /// What the engine waits on and stamps with: `.system`, or a `TestClock`'s source in tests.
        public var clock: TimeSource = .system
        public var logger = Logger(label: "tcly.engine")
        /// Where webhooks may go and how they are retried.
        public var webhooks = WebhookPolicy()
        /// Where the engine keeps its state: by default `engine.sqlite` in the data directory,
        /// stamping with `clock`.
        public var store: StoreOpener = .sqlite
        /// Where requests are counted against rate limits: by default in this process
        /// (`RateLimiter`); a store shared by several engines counts for all of them.
        public var rateLimits: (any RateLimiting)?

        public init(dataDirectory: URL) { self.dataDirectory = dataDirectory }
    }

    /// Everything the engine keeps. Held as the protocols (not the SQLite class) so that another
    /// store plugs in through `Configuration.store`; one dynamic call per store call is nothing
    /// beside the transaction behind it.
    public let store: any EngineStorage
    public let origins: Origins
    public let encoder: any MediaEncoder
    public let rateLimiter: any RateLimiting
    let scheduler: Scheduler
    let committer: CreateCommitter
    let dispatcher: WebhookDispatcher
    public let webhookPolicy: WebhookPolicy
    let keys: KeyCache
    let logger: Logger
    private let lock: DataDirectoryLock
    /// What the operator should fix but the engine runs despite (a data directory other users
    /// can read), one sentence each: `tcly serve` prints them at start.
    public let warnings: [String]

    /// The id of the origin every engine has for inputs, under the data directory.
    public static let localInput = "ori_local_input"
    /// The id of the origin every engine has for outputs, under the data directory.
    public static let localOutput = "ori_local_output"

    /// Opens the store and checks the origins. Throws `ConnectError` with a sentence a user can act on.
    public init(_ configuration: Configuration) throws {
        let data = configuration.dataDirectory
        let input = data.appendingPathComponent("origins/input"), output = data.appendingPathComponent("origins/output")
        do {
            // The data directory is the owner's alone (0700); the origins' folders inside it keep
            // the umask, like the media in them.
            warnings = try OwnerOnly.directory(data, what: "data directory").map { [$0] } ?? []
            for folder in [input, output] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            guard FileManager.default.isWritableFile(atPath: data.path) else { throw CocoaError(.fileWriteNoPermission) }
        } catch {
            throw ConnectError.failedPrecondition("data directory \(data.path) is not writable; choose another with --data")
        }
        lock = try DataDirectoryLock(data)
        var list = [LocalOrigin(id: Self.localInput, name: "local input", root: input),
                    LocalOrigin(id: Self.localOutput, name: "local output", root: output)]
        for (id, folder) in configuration.origins.sorted(by: { $0.key < $1.key }) {
            list.removeAll { $0.id == id }
            list.append(LocalOrigin(id: id, name: folder.lastPathComponent, root: folder))
        }
        origins = try Origins(list)
        do {
            store = try configuration.store.open(data, clock: configuration.clock)
        } catch {
            throw ConnectError.failedPrecondition("cannot open the store in \(data.path): \(error)")
        }
        encoder = configuration.encoder
        rateLimiter = configuration.rateLimits ?? RateLimiter(clock: configuration.clock)
        keys = KeyCache(clock: configuration.clock)
        logger = configuration.logger
        scheduler = Scheduler(store: store, encoder: encoder, origins: origins,
                              workers: max(1, configuration.workers), logger: configuration.logger)
        committer = CreateCommitter(store: store)
        webhookPolicy = configuration.webhooks
        dispatcher = WebhookDispatcher(store: store, policy: configuration.webhooks, logger: configuration.logger)
        // Weak: the store must not keep the dispatcher (and its HTTP client) alive.
        let ring: @Sendable () -> Void = { [weak dispatcher] in dispatcher?.wake() }
        store.setBell(ring)
    }

    // MARK: - Service

    /// Requeues jobs a previous run left unfinished, then runs the workers and the webhook
    /// dispatcher (which first sends what the outbox kept) until graceful shutdown; jobs
    /// interrupted by the shutdown are requeued for the next start.
    public func run() async throws {
        await encoder.recover(outputRoots: origins.all.map(\.root))
        let requeued = try await store.requeueInterrupted()
        if requeued > 0 { logger.notice("requeued \(requeued) job(s) interrupted by the last stop") }
        _ = try? await store.pruneAttempts()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.dispatcher.run() }
                // A shared store's own work (leases, rescue, other nodes' notifications): it
                // wakes workers for jobs queued elsewhere and stops encodes whose lease is gone.
                let scheduler = self.scheduler
                group.addTask {
                    await self.store.maintain(for: StoreSignals(
                        workQueued: { scheduler.signal() },
                        leaseLost: { id in
                            scheduler.interrupt(jobID: id, because: "this node no longer holds the job's lease (cancelled through another node, rescued after this node stalled, or the database was out of reach)")
                        }))
                }
                await scheduler.run()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.scheduler.stop()
        }
        _ = try await store.requeueInterrupted()
    }

    /// Gives the data directory up, once `run` has returned: another engine may open it at once.
    /// Otherwise it is held until this engine goes, which is whenever the last task or server
    /// handler holding it lets go — late, under load.
    public func releaseDataDirectory() { lock.release() }

    // MARK: - Access

    /// Who is calling: the app that owns `key`, which must belong to `orgID`.
    public func authenticate(key: String?, orgID: String?) async throws(ConnectError) -> AppIdentity {
        guard let key, !key.isEmpty else {
            throw .unauthenticated("missing API key: send the header Authorization: Bearer <API key>")
        }
        guard let orgID, !orgID.isEmpty else {
            throw .unauthenticated("missing X-Organization-ID header: send the id of your organization")
        }
        let hash = KeyDigest.hash(key)
        let identity: AppIdentity?
        if let cached = keys.lookup(hash) {
            identity = cached
        } else {
            identity = try await storeCall { try await self.store.identity(forKey: key) }
            keys.remember(hash, identity)
        }
        guard let identity else {
            throw .unauthenticated("unknown or revoked API key; check TRANSCODELY_API_KEY")
        }
        guard identity.orgID == orgID else {
            throw .permissionDenied("this API key's app is not a member of organization \(orgID)")
        }
        return identity
    }

    /// Counts one request of `caller` against its app's rate limit; nil when its tier has none.
    public func admit(_ caller: AppIdentity) async throws(ConnectError) -> RateLimiter.Decision? {
        try await storeCall { try await self.rateLimiter.admit(app: caller.appID, tier: caller.tier) }
    }

    // MARK: - JobService

    /// Creates a job, or finds the one already created under the same idempotency key.
    public func createJob(_ request: CreateJobRequest, by caller: AppIdentity) async throws(ConnectError) -> CreateOutcome {
        try request.validate()
        do {
            let input = try origins.usable(request.inputOriginID, field: "input_origin_id")
            _ = try origins.usable(request.outputOriginID, field: "output_origin_id")
            _ = try origins.resolve(request.inputPath, in: input)
            try encoder.check(request)
        } catch {
            // A job created under this key earlier is returned whatever changed since (an origin
            // removed from the command line, say): same key, same parameters, same job.
            if let key = request.idempotencyKey,
               let existing = try await storeCall({ try await self.store.job(appID: caller.appID, key: key) }),
               existing.hash == NewJob.hash(request) {
                return .replayed(existing.job)
            }
            throw error
        }
        let outcome = try await storeCall {
            try await self.committer.submit(NewJob(orgID: caller.orgID, appID: caller.appID, request: request))
        }
        switch outcome {
        case .created: scheduler.signal()
        case let .conflict(key, existing):
            throw ConnectError(.alreadyExists, "idempotency_key \"\(key)\" was already used for job \(existing) with different parameters; use a new key, or send the same parameters to get that job back")
        case .replayed: break
        }
        return outcome
    }

    /// One job of the caller's organization.
    public func job(id: String, by caller: AppIdentity) async throws(ConnectError) -> Job {
        guard !id.isEmpty else { throw .invalidArgument("id: is required") }
        guard let job = try await storeCall({ try await self.store.job(id: id, orgID: caller.orgID) }) else {
            throw .notFound("no job \(id) in organization \(caller.orgID)")
        }
        return job
    }

    /// A page of the caller's organization's jobs.
    public func listJobs(_ query: ListJobsRequest, by caller: AppIdentity) async throws(ConnectError) -> ListJobsResponse {
        try await storeCall { try await self.store.list(orgID: caller.orgID, query: query) }
    }

    /// The attempts at a job of the caller's organization, with the encoder's own words for each.
    public func jobLog(id: String, by caller: AppIdentity) async throws(ConnectError) -> JobLog {
        guard !id.isEmpty else { throw .invalidArgument("id: is required") }
        guard let log = try await storeCall({ try await self.store.log(jobID: id, orgID: caller.orgID) }) else {
            throw .notFound("no job \(id) in organization \(caller.orgID)")
        }
        return log
    }

    /// Cancels a job that has not ended; a running encode is stopped and its partial outputs removed.
    public func cancelJob(id: String, by caller: AppIdentity) async throws(ConnectError) -> Job {
        let existing = try await job(id: id, by: caller)
        guard let canceled = try await storeCall({ try await self.store.apply(.canceled, to: id, orgID: caller.orgID, durable: true) }) else {
            let now = try await job(id: id, by: caller)
            throw .failedPrecondition("job \(id) already ended (\(now.status.rawValue)); only pending, probing or processing jobs can be cancelled")
        }
        if existing.status != .pending { scheduler.interrupt(jobID: id) }
        return canceled
    }

    // MARK: - OriginService

    public func listOrigins() -> [Origin] { origins.all.map(\.origin) }

    public func origin(id: String) throws(ConnectError) -> Origin {
        guard let origin = origins.origin(id) else { throw .notFound("no origin \(id); OriginService/List shows the origins") }
        return origin.origin
    }

    public func listFiles(_ request: ListFilesRequest) throws(ConnectError) -> ListFilesResponse {
        try origins.listFiles(request)
    }

    // MARK: - WebhookService

    /// Registers an endpoint for the caller's organization; the answer carries its secret, shown
    /// this once. With no events, the three that end a job.
    public func createWebhook(_ request: CreateWebhookRequest, by caller: AppIdentity) async throws(ConnectError) -> Webhook {
        var events: [WebhookEvent.Kind] = []
        for name in request.events {
            guard let kind = WebhookEvent.Kind(rawValue: name) else {
                throw .invalidArgument("events: \"\(name)\" is not one of \(WebhookEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !events.contains(kind) { events.append(kind) }
        }
        if events.isEmpty { events = [.completed, .failed, .canceled] }
        try webhookPolicy.check(request.url)
        return try await storeCall { try await self.store.createWebhook(orgID: caller.orgID, url: request.url, events: events) }
    }

    /// The caller's organization's endpoints (without secrets).
    public func listWebhooks(by caller: AppIdentity) async throws(ConnectError) -> [Webhook] {
        try await storeCall { try await self.store.webhooks(orgID: caller.orgID) }
    }

    /// Deletes an endpoint of the caller's organization and drops its pending deliveries.
    public func deleteWebhook(id: String, by caller: AppIdentity) async throws(ConnectError) {
        guard !id.isEmpty else { throw .invalidArgument("id: is required") }
        guard try await storeCall({ try await self.store.deleteWebhook(id: id, orgID: caller.orgID) }) else {
            throw .notFound("no webhook \(id) in organization \(caller.orgID); WebhookService/List shows them")
        }
    }

    // MARK: - Store errors

    /// Runs a store call; failures of the store become `unavailable`, never a leaked path or stack.
    func storeCall<T>(_ body: () async throws -> T) async throws(ConnectError) -> T {
        do {
            return try await body()
        } catch let error as ConnectError {
            throw error
        } catch let error as StoreError {
            logger.error("store error: \(error.detail)")
            throw .unavailable("the engine's store is not available right now (\(error.reason)); retry shortly")
        } catch {
            logger.error("store error: \(error)")
            throw .internalError("the engine failed to read or write its store; see the engine log")
        }
    }
}
