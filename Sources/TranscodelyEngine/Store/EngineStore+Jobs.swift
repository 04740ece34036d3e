import Crypto
import Foundation
import GRDB
import TranscodelyAPI

extension EngineStore {
    /// Inserts a group of creates in one transaction (one commit, one fsync for all of them).
    /// Idempotency rests on the UNIQUE (app_id, idempotency_key) constraint: an insert that meets it
    /// does nothing, and the job already there is compared by request hash.
    public func insert(_ batch: [NewJob]) async throws -> [CreateOutcome] {
        let outcomes = try await durableWrite { db in
            var outcomes: [CreateOutcome] = []
            outcomes.reserveCapacity(batch.count)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO jobs (id, org_id, app_id, idempotency_key, request_hash, status, priority,
                    input_origin_id, input_path, output_origin_id, metadata, outputs, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (app_id, idempotency_key) DO NOTHING
                """)
            for new in batch {
                let request = new.request
                let stamp = self.nextStamp()
                try insert.execute(arguments: [
                    new.id, new.orgID, new.appID, request.idempotencyKey, new.requestHash, request.priority.rank,
                    request.inputOriginID, request.inputPath, request.outputOriginID,
                    JobRow.metadataText(request.metadata), JobRow.outputsText(request.outputs),
                    stamp.microseconds, stamp.microseconds,
                ])
                if db.changesCount == 1 {
                    outcomes.append(.created(Job(id: new.id, status: .pending, request: request,
                                                 createdAt: stamp, updatedAt: stamp)))
                    continue
                }
                // Only the idempotency constraint can make the insert do nothing.
                let key = request.idempotencyKey ?? ""
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(JobRow.columns), request_hash FROM jobs WHERE app_id = ? AND idempotency_key = ?
                    """), arguments: [new.appID, key]) else {
                    throw ConnectError.internalError("a create under key \(key) was refused but no job holds the key")
                }
                let existing = try JobRow.job(row)
                if (row[JobRow.columnCount] as Data) == new.requestHash {
                    outcomes.append(.replayed(existing))
                } else {
                    outcomes.append(.conflict(key: key, existingJobID: existing.id))
                }
            }
            return outcomes
        }
        for (new, outcome) in zip(batch, outcomes) {
            switch outcome {
            case let .created(job), let .replayed(job): cache.put(job, orgID: new.orgID)
            case .conflict: break
            }
        }
        return outcomes
    }

    /// One job of an organization; nil when there is none (another organization's job included).
    public func job(id: String, orgID: String) async throws -> Job? {
        if let cached = cache.job(id: id, orgID: orgID) { return cached }
        let job = try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(JobRow.columns) FROM jobs WHERE id = ? AND org_id = ?"),
                             arguments: [id, orgID]).map(JobRow.job)
        }
        if let job { cache.put(job, orgID: orgID) }
        return job
    }

    /// The job an app created under an idempotency key, with its request hash.
    public func job(appID: String, key: String) async throws -> (job: Job, hash: Data)? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(JobRow.columns), request_hash FROM jobs WHERE app_id = ? AND idempotency_key = ?
                """), arguments: [appID, key]) else { return nil }
            return (try JobRow.job(row), row[JobRow.columnCount])
        }
    }

    /// A page of an organization's jobs in (updated_at, id) order.
    public func list(orgID: String, query: ListJobsRequest) async throws -> ListJobsResponse {
        let token = try query.pageToken.flatMap { $0.isEmpty ? nil : $0 }.map { try PageToken(decoding: $0, for: query) }
        let size = query.pageSize ?? 100
        var sql = "SELECT \(JobRow.columns) FROM jobs WHERE org_id = ?"
        var values: [DatabaseValue] = [orgID.databaseValue]
        if !query.status.isEmpty {
            sql += " AND status IN (\(Array(repeating: "?", count: query.status.count).joined(separator: ",")))"
            values += query.status.map(\.rawValue.databaseValue)
        }
        if let since = query.updatedSince {
            sql += " AND updated_at > ?"
            values.append(since.microseconds.databaseValue)
        }
        for (key, value) in query.metadata.sorted(by: { $0.key < $1.key }) {
            // json_each compares keys as text: no JSON-path quoting for keys holding " or \.
            sql += " AND EXISTS (SELECT 1 FROM json_each(jobs.metadata) WHERE key = ? AND value = ?)"
            values += [key.databaseValue, value.databaseValue]
        }
        if let token {
            sql += " AND (updated_at, id) > (?, ?)"
            values += [token.updatedAt.databaseValue, token.id.databaseValue]
        }
        sql += " ORDER BY updated_at, id LIMIT ?"
        values.append((size + 1).databaseValue)
        var jobs = try await read { [sql, values] db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values)).map(JobRow.job)
        }
        let more = jobs.count > size
        if more { jobs.removeLast() }
        let next = more ? jobs.last.map { PageToken(after: $0, for: query).encoded } ?? "" : ""
        return ListJobsResponse(jobs: jobs, nextPageToken: next)
    }

    /// Applies a transition to a job in one transaction; returns the job as it now is, or nil when
    /// the transition did not apply (the job ended meanwhile, or was not in the state it needs).
    @discardableResult
    public func apply(_ transition: JobTransition, to id: String, orgID: String? = nil, durable: Bool = false) async throws -> Job? {
        let body: @Sendable (Database) throws -> (job: Job, orgID: String)? = { db in
            try self.apply(transition, to: id, orgID: orgID, in: db)
        }
        let changed = durable ? try await durableWrite(body) : try await write(body)
        ringIfQueued()
        return changed.map(remember)
    }

    /// Puts a job written by a committed transaction into the cache.
    func remember(_ change: (job: Job, orgID: String)) -> Job {
        cache.put(change.job, orgID: change.orgID)
        return change.job
    }

    /// The transition inside a write transaction; returns the new job and its organization.
    func apply(_ transition: JobTransition, to id: String, orgID: String?, in db: Database) throws -> (job: Job, orgID: String)? {
        var sql = "SELECT \(JobRow.columns), org_id FROM jobs WHERE id = ?"
        var arguments: StatementArguments = [id]
        if let orgID {
            sql += " AND org_id = ?"
            arguments += [orgID]
        }
        guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
        let current = try JobRow.job(row)
        // The stamp is taken only when something changes, keeping updated_at strictly increasing.
        guard transition.apply(to: current, at: current.updatedAt) != nil else { return nil }
        guard let next = transition.apply(to: current, at: nextStamp()) else { return nil }
        try db.execute(sql: """
            UPDATE jobs SET status = ?, progress = ?, input = ?, results = ?, error_code = ?, error_message = ?,
                updated_at = ?, started_at = ?, completed_at = ?, error_detail = ? WHERE id = ?
            """, arguments: [
                next.status.rawValue, next.progress, next.input.map(JobRow.text), next.results.map(JobRow.text),
                next.error?.code, next.error?.message, next.updatedAt.microseconds, next.startedAt?.microseconds,
                next.completedAt?.microseconds, next.error.map(JobRow.text), id,
            ])
        let orgID: String = row[JobRow.columnCount]
        try enqueueEvents(from: current, to: next, orgID: orgID, in: db)
        return (next, orgID)
    }

    /// Puts every job that was probing or processing when the engine stopped back in the queue.
    @discardableResult
    public func requeueInterrupted() async throws -> Int {
        let changes = try await write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM jobs WHERE status IN ('probing', 'processing') ORDER BY seq")
            try self.interruptRunningAttempts(in: db)
            return try ids.compactMap { try self.apply(.requeued, to: $0, orgID: nil, in: db) }
        }
        for change in changes { _ = remember(change) }
        ringIfQueued()
        return changes.count
    }

    /// How many jobs are in each status (for /metrics).
    public func countsByStatus() async throws -> [JobStatus: Int] {
        try await read { db in
            var counts: [JobStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status") {
                if let status = JobStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }
}
