import Foundation
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore {
    /// Inserts a group of creates in one transaction and one statement: `INSERT … SELECT FROM
    /// unnest(…) ON CONFLICT (app_id, idempotency_key) DO NOTHING RETURNING id`. A create the
    /// constraint refused (its key used before, by this group, this node or another) is then
    /// read back and compared by request hash. The stamps are taken first, which is safe for an
    /// insert: it locks no existing row another transaction could hold while waiting for the clock.
    public func insert(_ batch: [NewJob]) async throws -> [CreateOutcome] {
        guard !batch.isEmpty else { return [] }
        return try await transaction { connection in
            let last = try await self.takeStamps(batch.count, on: connection)
            let stamps = (0..<Int64(batch.count)).map { last - Int64(batch.count) + 1 + $0 }
            let requests = batch.map(\.request)
            let inserted = try await connection.query("""
                INSERT INTO jobs (id, org_id, app_id, idempotency_key, request_hash, status, priority,
                    input_origin_id, input_path, output_origin_id, metadata, outputs, created_at, updated_at)
                SELECT id, org, app, CASE WHEN has_key THEN key END, decode(hash, 'hex'), 'pending', prio,
                    input_origin, input_path, output_origin, metadata, outputs, stamp, stamp
                FROM unnest(\(batch.map(\.id)), \(batch.map(\.orgID)), \(batch.map(\.appID)),
                            \(requests.map { $0.idempotencyKey != nil }), \(requests.map { $0.idempotencyKey ?? "" }),
                            \(batch.map { Self.hex($0.requestHash) }), \(requests.map(\.priority.rank)),
                            \(requests.map(\.inputOriginID)), \(requests.map(\.inputPath)), \(requests.map(\.outputOriginID)),
                            \(requests.map { JobRow.metadataText($0.metadata) }), \(requests.map { JobRow.outputsText($0.outputs) }),
                            \(stamps))
                    WITH ORDINALITY AS t(id, org, app, has_key, key, hash, prio, input_origin, input_path, output_origin,
                                         metadata, outputs, stamp, ord)
                ORDER BY ord
                ON CONFLICT (app_id, idempotency_key) DO NOTHING
                RETURNING id
                """, logger: self.logger).collect()
            let created = Set(try inserted.map { try $0.decode(String.self) })
            var outcomes: [CreateOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for (new, stamp) in zip(batch, stamps) {
                if created.contains(new.id) {
                    let at = Timestamp(microseconds: stamp)
                    outcomes.append(.created(Job(id: new.id, status: .pending, request: new.request, createdAt: at, updatedAt: at)))
                    continue
                }
                // Only the idempotency constraint can make the insert skip a row.
                let key = new.request.idempotencyKey ?? ""
                guard let existing = try await self.job(appID: new.appID, key: key, on: connection) else {
                    throw ConnectError.internalError("a create under key \(key) was refused but no job holds the key")
                }
                outcomes.append(existing.hash == new.requestHash
                    ? .replayed(existing.job) : .conflict(key: key, existingJobID: existing.job.id))
            }
            if !created.isEmpty { try await self.notify("queued", on: connection) }
            return outcomes
        }
    }

    /// One job of an organization; nil when there is none (another organization's job included).
    public func job(id: String, orgID: String) async throws -> Job? {
        try await query("SELECT \(unescaped: JobRow.columns) FROM jobs WHERE id = \(id) AND org_id = \(orgID)")
            .first.map(PostgresJobRow.job)
    }

    /// The job an app created under an idempotency key, with its request hash.
    public func job(appID: String, key: String) async throws -> (job: Job, hash: Data)? {
        try await query(Self.keyed(appID: appID, key: key)).first.map(Self.keyed)
    }

    func job(appID: String, key: String, on connection: PostgresConnection) async throws -> (job: Job, hash: Data)? {
        try await connection.query(Self.keyed(appID: appID, key: key), logger: logger).collect().first.map(Self.keyed)
    }

    /// The job an app created under a key, with its request hash.
    private static func keyed(appID: String, key: String) -> PostgresQuery {
        "SELECT \(unescaped: JobRow.columns), request_hash FROM jobs WHERE app_id = \(appID) AND idempotency_key = \(key)"
    }

    private static func keyed(_ row: PostgresRow) throws -> (job: Job, hash: Data) {
        (try PostgresJobRow.job(row), try PostgresJobRow.extra(row, 0, as: Data.self))
    }

    /// A page of an organization's jobs in (updated_at, id) order.
    public func list(orgID: String, query request: ListJobsRequest) async throws -> ListJobsResponse {
        let token = try request.pageToken.flatMap { $0.isEmpty ? nil : $0 }.map { try PageToken(decoding: $0, for: request) }
        let size = request.pageSize ?? 100
        var binds = PostgresBindings()
        func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
            try binds.append(value)
            return "$\(binds.count)"
        }
        var sql = "SELECT \(JobRow.columns) FROM jobs WHERE org_id = \(try bind(orgID))"
        if !request.status.isEmpty {
            sql += " AND status = ANY(\(try bind(request.status.map(\.rawValue))))"
        }
        if let since = request.updatedSince {
            sql += " AND updated_at > \(try bind(since.microseconds))"
        }
        for (key, value) in request.metadata.sorted(by: { $0.key < $1.key }) {
            sql += " AND EXISTS (SELECT 1 FROM jsonb_each_text(jobs.metadata::jsonb) e WHERE e.key = \(try bind(key)) AND e.value = \(try bind(value)))"
        }
        if let token {
            sql += " AND (updated_at, id) > (\(try bind(token.updatedAt)), \(try bind(token.id)))"
        }
        sql += " ORDER BY updated_at, id LIMIT \(try bind(size + 1))"
        var jobs = try await query(PostgresQuery(unsafeSQL: sql, binds: binds)).map(PostgresJobRow.job)
        let more = jobs.count > size
        if more { jobs.removeLast() }
        let next = more ? jobs.last.map { PageToken(after: $0, for: request).encoded } ?? "" : ""
        return ListJobsResponse(jobs: jobs, nextPageToken: next)
    }

    /// Applies a transition from outside a worker (a cancel) in one transaction; a cancel of a
    /// running job also tells the node running it (`cancel <id>` on the channel), which stops the
    /// encode within a round trip.
    public func apply(_ transition: JobTransition, to id: String, orgID: String?, durable: Bool) async throws -> Job? {
        try await transaction { connection in
            guard let locked = try await self.lockJob(id: id, orgID: orgID, token: nil, on: connection) else { return nil }
            guard let next = try await self.write(transition, to: locked, on: connection) else { return nil }
            if case .canceled = transition, locked.job.status == .probing || locked.job.status == .processing {
                // The attempt ends here: the node running it may be gone. Its own record, if it
                // comes, adds its lines (see `record`).
                try await connection.query("""
                    UPDATE job_attempts SET outcome = 'canceled', ended_at = \(next.updatedAt.microseconds)
                    WHERE job_id = \(id) AND outcome = 'running'
                    """, logger: self.logger)
                try await self.notify("cancel \(id)", on: connection)
            }
            return next
        }
    }

    /// A job row locked for update, with its organization and claims so far.
    struct LockedJob: Sendable {
        var job: Job
        var orgID: String
        var attempt: Int
    }

    /// Locks a job (`FOR UPDATE`) and reads it; with `token`, only while that lease is the job's.
    func lockJob(id: String, orgID: String?, token: String?, on connection: PostgresConnection) async throws -> LockedJob? {
        var binds = PostgresBindings()
        binds.append(id)
        var sql = "SELECT \(JobRow.columns), org_id, attempt FROM jobs WHERE id = $1"
        if let orgID {
            binds.append(orgID)
            sql += " AND org_id = $\(binds.count)"
        }
        if let token {
            guard let uuid = UUID(uuidString: token) else { return nil }
            binds.append(uuid)
            sql += " AND lease_token = $\(binds.count)"
        }
        sql += " FOR UPDATE"
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
        guard let row = rows.first else { return nil }
        return LockedJob(job: try PostgresJobRow.job(row), orgID: try PostgresJobRow.extra(row, 0, as: String.self),
                         attempt: try PostgresJobRow.extra(row, 1, as: Int.self))
    }

    /// Writes a transition to a locked job, stamped last (after the row lock: see the lock order),
    /// with the webhook events it gives; nil when it does not apply. A job that leaves the running
    /// states loses its lease.
    func write(_ transition: JobTransition, to locked: LockedJob, on connection: PostgresConnection) async throws -> Job? {
        let current = locked.job
        guard transition.apply(to: current, at: current.updatedAt) != nil else { return nil }
        let stamp = try await takeStamps(1, on: connection)
        guard let next = transition.apply(to: current, at: Timestamp(microseconds: stamp)) else { return nil }
        let running = next.status == .probing || next.status == .processing
        try await connection.query("""
            UPDATE jobs SET status = \(next.status.rawValue), progress = \(next.progress),
                input = \(next.input.map(JobRow.text)), results = \(next.results.map(JobRow.text)),
                error_code = \(next.error?.code), error_message = \(next.error?.message),
                updated_at = \(next.updatedAt.microseconds), started_at = \(next.startedAt?.microseconds),
                completed_at = \(next.completedAt?.microseconds), error_detail = \(next.error.map(JobRow.text)),
                lease_token = CASE WHEN \(running) THEN lease_token END,
                lease_node = CASE WHEN \(running) THEN lease_node END,
                lease_expires_at = CASE WHEN \(running) THEN lease_expires_at END
            WHERE id = \(current.id)
            """, logger: logger)
        try await enqueueEvents(from: current, to: next, orgID: locked.orgID, on: connection)
        if !running { held.withLock { _ = $0.removeValue(forKey: current.id) } }
        return next
    }

    /// Puts the jobs leased by this node's name back in the queue (an earlier run of the same
    /// `--node` that crashed, or this run stopping), marking their attempts interrupted. Jobs of
    /// other nodes are left to their leases: only an expired one is rescued (`maintain`).
    public func requeueInterrupted() async throws -> Int {
        let count = try await transaction { connection in
            let ids = try await connection.query("""
                SELECT id FROM jobs WHERE lease_node = \(self.node) AND lease_token IS NOT NULL ORDER BY id FOR UPDATE SKIP LOCKED
                """, logger: self.logger).collect().map { try $0.decode(String.self) }
            var count = 0
            for id in ids {
                guard let locked = try await self.lockJob(id: id, orgID: nil, token: nil, on: connection) else { continue }
                try await self.endRunningAttempt(of: id, as: "interrupted", on: connection)
                if try await self.write(.requeued, to: locked, on: connection) != nil { count += 1 }
            }
            if count > 0 { try await self.notify("queued", on: connection) }
            return count
        }
        held.withLock { $0.removeAll() }
        return count
    }

    /// How many jobs are in each status (for /metrics).
    public func countsByStatus() async throws -> [JobStatus: Int] {
        var counts: [JobStatus: Int] = [:]
        for row in try await query("SELECT status, COUNT(*) FROM jobs GROUP BY status") {
            let (status, count) = try row.decode((String, Int).self)
            if let status = JobStatus(rawValue: status) { counts[status] = count }
        }
        return counts
    }

    static func hex(_ data: Data) -> String {
        data.map { String(format: "%02x", $0) }.joined()
    }
}
