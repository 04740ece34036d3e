import Foundation
import PostgresNIO
import PostgresStore
import Synchronization
import Testing
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyTestSupport

/// The store's contract on several nodes of one database (issue 14): one job per key, List missing
/// no change, claims never shared, fenced writes, rescue, cancels reaching the node that runs the
/// job, one rate limit, one outbox. Each test has a database of its own on scripts/test's cluster.
@Suite("PostgreSQL store on several nodes", .timeLimit(.minutes(3)))
struct SharedStoreTests {
    static let info = MediaInfo(durationSeconds: 10, width: 1280, height: 720, videoCodec: "h264", frameRate: 30, hasAudio: false)

    @Test("concurrent creates under one key on two nodes give one job; other parameters are a conflict")
    func oneJobPerKey() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            let outcomes = try await withThrowingTaskGroup(of: (Int, CreateOutcome).self) { group in
                for index in 0..<40 {
                    for node in fixture.nodes {
                        group.addTask { (index, try await node.insert([fixture.create("in/\(index).mp4", key: "k\(index)")])[0]) }
                    }
                }
                return try await group.reduce(into: [Int: [CreateOutcome]]()) { $0[$1.0, default: []].append($1.1) }
            }
            for (index, pair) in outcomes {
                var created: [String] = [], replayed: [String] = []
                for outcome in pair {
                    switch outcome {
                    case let .created(job): created.append(job.id)
                    case let .replayed(job): replayed.append(job.id)
                    case .conflict: Issue.record("key k\(index): a conflict for the same parameters")
                    }
                }
                #expect(created.count == 1 && replayed == created, "key k\(index): \(pair)")
            }
            let counts = try await fixture.nodes[1].countsByStatus()
            #expect(counts[.pending] == 40)
            let other = try await fixture.nodes[1].insert([fixture.create("in/other.mp4", key: "k0")])[0]
            guard case let .conflict(key, existing) = other else {
                Issue.record("a different request under k0 is a conflict, got \(other)")
                return
            }
            #expect(key == "k0" && existing.hasPrefix("job_"))
        }
    }

    @Test("a watcher polling List(updated_since) misses no change while two nodes commit at once")
    func listMissesNoChange() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            let writers = 2, perWriter = 150
            async let written: [String] = withThrowingTaskGroup(of: [String].self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var ids: [String] = []
                        for index in 0..<perWriter {
                            let node = fixture.nodes[(writer + index) % fixture.nodes.count]
                            ids.append(try await fixture.insert("in/\(writer)-\(index).mp4", on: (writer + index) % 2).id)
                            // A change too, on the other node: a cancel of the job just made.
                            if index % 3 == 0, let last = ids.last {
                                _ = try await node.apply(.canceled, to: last, orgID: fixture.app.orgID, durable: true)
                            }
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            // The watcher: pages from its cursor, remembering the newest state of each job seen.
            var seen: [String: JobStatus] = [:]
            var cursor: Timestamp?
            func poll() async throws {
                var token: String?
                repeat {
                    let page = try await fixture.nodes[0].list(orgID: fixture.app.orgID,
                                                               query: ListJobsRequest(updatedSince: cursor, pageSize: 40, pageToken: token))
                    for job in page.jobs { seen[job.id] = job.status }
                    if let last = page.jobs.last, page.nextPageToken.isEmpty { cursor = last.updatedAt }
                    token = page.nextPageToken.isEmpty ? nil : page.nextPageToken
                } while token != nil
            }
            var polls = 0
            while seen.count < writers * perWriter || polls < 5 {
                try await poll()
                polls += 1
                if polls > 10_000 { break }
            }
            let ids = try await written
            try await poll()
            #expect(Set(ids) == Set(seen.keys), "the watcher missed \(Set(ids).subtracting(seen.keys).count) job(s)")
            // Every cancel was seen as a change, not only the creates.
            let canceled = try await fixture.nodes[1].list(orgID: fixture.app.orgID, query: ListJobsRequest(status: [.canceled], pageSize: 1000)).jobs
            #expect(canceled.allSatisfy { seen[$0.id] == .canceled }, "a cancel committed behind the watcher's cursor was missed")
            #expect(polls > 1)
        }
    }

    @Test("claims on two nodes at once never share a job, and take high priority first")
    func claimsAreExclusive() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            try await fixture.insert("in/low.mp4", priority: .economy)
            let urgent = try await fixture.insert("in/urgent.mp4", on: 1, priority: .premium)
            let first = try #require(try await fixture.nodes[0].claimNext(tool: "test"))
            #expect(first.job.id == urgent.id && first.attempt == 1 && !first.lease.token.isEmpty)
            for index in 0..<60 { try await fixture.insert("in/\(index).mp4", on: index % 2) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [String] = []
                        while let claim = try await fixture.nodes[worker % 2].claimNext(tool: "test") { mine.append(claim.job.id) }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 61 && Set(claimed).count == 61, "\(claimed.count) claims, \(Set(claimed).count) jobs")
            #expect(try await fixture.nodes[1].countsByStatus()[.probing] == 62)
        }
    }

    @Test("a node that lost its lease writes nothing; the rescue requeues with attempt + 1 and the next attempt completes")
    func fencedWritesAndRescue() async throws {
        try await SharedStoreFixture.with(2, settings: SharedStoreFixture.shortLeases) { fixture in
            let (stalled, rescuer) = (fixture.nodes[0], fixture.nodes[1])
            let job = try await fixture.insert("in/a.mp4")
            let first = try #require(try await stalled.claimNext(tool: "test"))
            // n1 stalls (no heartbeat runs); n2 rescues once the lease has expired in the database's clock.
            #expect(try await eventually { try await rescuer.rescueExpired() == 1 })
            let requeued = try #require(try await rescuer.job(id: job.id, orgID: fixture.app.orgID))
            #expect(requeued.status == .pending)
            // The stalled node comes back: every write of its attempt is refused.
            #expect(try await stalled.apply(.probed(Self.info), under: first.lease) == nil)
            let log = AttemptLog(tool: "test")
            log.append("stale output")
            #expect(try await stalled.apply(.completed([]), under: first.lease, ending: AttemptEnd(outcome: "completed", log: log.snapshot)) == nil)
            let second = try #require(try await rescuer.claimNext(tool: "test"))
            #expect(second.job.id == job.id && second.attempt == 2 && second.lease.token != first.lease.token)
            #expect(try await stalled.apply(.probed(Self.info), under: first.lease) == nil, "the old lease stays dead under the new one")
            #expect(try await rescuer.apply(.probed(Self.info), under: second.lease)?.status == .processing)
            // The stale node's completion publishes nothing; a publish that fails writes nothing.
            let published = Mutex(0)
            let ending = AttemptEnd(outcome: "completed", log: AttemptLog(tool: "test").snapshot)
            #expect(try await stalled.complete([], under: first.lease, ending: ending) { published.withLock { $0 += 1 } } == nil)
            #expect(published.withLock { $0 } == 0, "a lost lease must never publish")
            await #expect(throws: PublishRefused.self) {
                try await rescuer.complete([], under: second.lease, ending: ending) { throw PublishRefused() }
            }
            #expect(try await rescuer.job(id: job.id, orgID: fixture.app.orgID)?.status == .processing)
            let done = try await rescuer.complete([], under: second.lease, ending: ending) { published.withLock { $0 += 1 } }
            #expect(done?.status == .completed && published.withLock { $0 } == 1)
            let attempts = try #require(try await stalled.log(jobID: job.id, orgID: fixture.app.orgID)).attempts
            #expect(attempts.map(\.outcome) == ["interrupted", "completed"], "\(attempts.map(\.outcome))")
            #expect(try await fixture.value("SELECT count(*) FROM jobs WHERE lease_token IS NOT NULL", as: Int.self) == 0)
        }
    }

    @Test("a lease expiring on the last allowed attempt fails the job with category engine")
    func lastAttemptFails() async throws {
        var settings = SharedStoreFixture.shortLeases
        settings.maxAttempts = 1
        try await SharedStoreFixture.with(2, settings: settings) { fixture in
            let job = try await fixture.insert("in/a.mp4")
            _ = try #require(try await fixture.nodes[0].claimNext(tool: "test"))
            #expect(try await eventually { try await fixture.nodes[1].rescueExpired() == 1 })
            let failed = try #require(try await fixture.nodes[1].job(id: job.id, orgID: fixture.app.orgID))
            #expect(failed.status == .failed)
            #expect(failed.error?.category == .engine && failed.error?.retryable == true && failed.error?.attempt == 1)
            #expect(failed.error?.message.contains("node n1") == true, "\(failed.error?.message ?? "")")
        }
    }

    @Test("the heartbeat keeps a lease alive; a cancel through another node reaches the node running the job")
    func heartbeatAndCancel() async throws {
        // Leases of 3 s renewed every second: renewals keep up even on a loaded machine.
        var settings = LeaseSettings()
        settings.lease = .seconds(3)
        settings.heartbeat = .seconds(1)
        try await SharedStoreFixture.with(2, settings: settings) { fixture in
            let heard = HeardSignals()
            let keeper = Task { await fixture.nodes[0].maintain(for: heard.signals) }
            defer { keeper.cancel() }
            let job = try await fixture.insert("in/a.mp4", on: 1)
            _ = try #require(try await fixture.nodes[0].claimNext(tool: "test"))
            // Three renewals later the lease has outlived its first 3 s and is still n1's.
            var expiries: Set<String> = []
            #expect(try await eventually {
                let expiry = try await fixture.value("SELECT lease_expires_at::text FROM jobs WHERE id = \(job.id)", as: String?.self)
                expiries.insert(expiry ?? "no lease")
                return expiries.count >= 4
            })
            #expect(!expiries.contains("no lease"), "the lease was lost while its node renewed it")
            #expect(try await fixture.nodes[1].rescueExpired() == 0)
            #expect(try await fixture.nodes[1].job(id: job.id, orgID: fixture.app.orgID)?.status == .probing)
            // How soon is measured by scripts/bench/nodes (part g, target 2 s), not here: a loaded machine.
            #expect(try await fixture.nodes[1].apply(.canceled, to: job.id, orgID: fixture.app.orgID, durable: true)?.status == .canceled)
            #expect(await eventually(within: .seconds(20)) { heard.lost.withLock { $0 } == [job.id] })
        }
    }

    @Test("a node that cannot reach the database for a whole lease gives up its leases and stops its encodes")
    func unreachableDatabaseStopsEncodes() async throws {
        try await SharedStoreFixture.with(1, settings: SharedStoreFixture.shortLeases) { fixture in
            let heard = HeardSignals()
            let keeper = Task { await fixture.nodes[0].maintain(for: heard.signals) }
            defer { keeper.cancel() }
            let job = try await fixture.insert("in/a.mp4")
            _ = try #require(try await fixture.nodes[0].claimNext(tool: "test"))
            // The database goes away under the node (every connection closed, the database gone).
            let gone = ContinuousClock.now
            try await TestPostgres.drop(fixture.database)
            #expect(await eventually(within: .seconds(20)) { heard.lost.withLock { $0 } == [job.id] })
            // Not before its lease could have run out: the last renewal was at most a heartbeat
            // (0.3 s) before the database went.
            let took = ContinuousClock.now - gone
            #expect(took >= .milliseconds(500), "gave up after \(took); the lease is 1 s")
        }
    }

    @Test("a node requeues only the jobs leased by its own name")
    func requeueIsPerNode() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            try await fixture.insert("in/a.mp4")
            try await fixture.insert("in/b.mp4")
            let mine = try #require(try await fixture.nodes[0].claimNext(tool: "test"))
            let theirs = try #require(try await fixture.nodes[1].claimNext(tool: "test"))
            #expect(try await fixture.nodes[0].requeueInterrupted() == 1)
            #expect(try await fixture.nodes[0].job(id: mine.job.id, orgID: fixture.app.orgID)?.status == .pending)
            #expect(try await fixture.nodes[0].job(id: theirs.job.id, orgID: fixture.app.orgID)?.status == .probing)
        }
    }

    @Test("one rate limit across nodes: two nodes admit the tier's burst once, not twice")
    func oneRateLimit() async throws {
        // Both nodes on one test clock, which stands still: exactly the burst is admitted, however
        // long the requests take (a limit per node would admit it twice); a second refills 100.
        let clock = TestClock()
        try await SharedStoreFixture.with(2, clock: clock.source) { fixture in
            func burst() async throws -> Int {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            var allowed = 0
                            for _ in 0..<60 {
                                let decision = try #require(try await fixture.nodes[worker % 2].admit(app: fixture.app.appID, tier: .standard))
                                if decision.allowed { allowed += 1 } else { #expect(decision.retryAfterSeconds >= 1) }
                            }
                            return allowed
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            // Standard: 100/s, burst 200.
            let first = try await burst()
            #expect(first == 200, "480 requests over two nodes at one instant: the burst once, got \(first)")
            clock.advance(by: .seconds(1))
            let second = try await burst()
            #expect(second == 100, "a second later: the rate's 100, across both nodes, got \(second)")
        }
    }

    @Test("outbox deliveries are claimed by one node at a time")
    func outboxClaims() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            _ = try await fixture.nodes[0].createWebhook(orgID: fixture.app.orgID, url: "http://127.0.0.1:9/hook", events: [.canceled])
            for index in 0..<30 {
                let job = try await fixture.insert("in/\(index).mp4", on: index % 2)
                _ = try await fixture.nodes[(index + 1) % 2].apply(.canceled, to: job.id, orgID: fixture.app.orgID, durable: true)
            }
            let far = Int64.max / 2
            async let a = fixture.nodes[0].dueDeliveries(now: far, limit: 100, excluding: [])
            async let b = fixture.nodes[1].dueDeliveries(now: far, limit: 100, excluding: [])
            let (first, second) = try await (a, b)
            let seqs = first.map(\.seq) + second.map(\.seq)
            #expect(seqs.count == 30 && Set(seqs).count == 30, "\(first.count) + \(second.count) claims of 30 deliveries")
            #expect(first.allSatisfy { !$0.unsealable }, "the shared secrets.key opens every endpoint's secret")
            // Claimed deliveries are not due again until their claim ends.
            #expect(try await fixture.nodes[0].dueDeliveries(now: far, limit: 100, excluding: []).isEmpty)
            let next = try #require(try await fixture.nodes[0].nextDeliveryTime())
            #expect(next > TimeSource.system.timestamp.microseconds + 30_000_000)
            let delivery = try #require(first.first ?? second.first)
            try await fixture.nodes[1].recordAttempt(delivery, at: TimeSource.system.timestamp.microseconds, statusCode: 200, error: nil, durationMs: 3, outcome: .delivered)
            let states = try await fixture.nodes[0].deliveries(jobID: try #require(try await jobID(of: delivery, fixture)))
            #expect(states.map(\.state) == ["delivered"])
        }
    }

    @Test("give-ups on two nodes at once count together: the endpoint is disabled at the limit, its pending deliveries dropped; settled ones are pruned by age")
    func giveUpsAcrossNodes() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            _ = try await fixture.nodes[0].createWebhook(orgID: fixture.app.orgID, url: "http://127.0.0.1:9/hook", events: [.canceled])
            for index in 0..<5 {
                let job = try await fixture.insert("in/\(index).mp4")
                _ = try await fixture.nodes[1].apply(.canceled, to: job.id, orgID: fixture.app.orgID, durable: true)
            }
            let far = Int64.max / 2
            let mine = try await fixture.nodes[0].dueDeliveries(now: far, limit: 1, excluding: [])
            let theirs = try await fixture.nodes[1].dueDeliveries(now: far, limit: 1, excluding: [])
            let now = TimeSource.system.timestamp.microseconds
            async let a = fixture.nodes[0].recordAttempt(mine[0], at: now, statusCode: 500, error: nil, durationMs: 1,
                                                         outcome: .gaveUp(disableAfter: 2, reason: "two in a row"))
            async let b = fixture.nodes[1].recordAttempt(theirs[0], at: now, statusCode: 500, error: nil, durationMs: 1,
                                                         outcome: .gaveUp(disableAfter: 2, reason: "two in a row"))
            let (first, second) = try await (a, b)
            // The endpoint's row lock orders them: the first counts 1, the second reaches the limit.
            #expect([first, second].filter { $0 }.count == 1, "exactly the second give-up disables: \(first), \(second)")
            let hooks = try await fixture.nodes[1].webhooks(orgID: fixture.app.orgID)
            #expect(hooks.first?.disabledReason == "two in a row")
            #expect(try await fixture.value("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'", as: Int.self) == 0)
            #expect(try await fixture.value("SELECT count(*) FROM webhook_deliveries WHERE state = 'dropped'", as: Int.self) == 3)
            #expect(try await fixture.nodes[0].pruneDeliveries(endedBefore: now) == 0)
            #expect(try await fixture.nodes[0].pruneDeliveries(endedBefore: now + 1) == 5)
        }
    }

    @Test("a node whose secrets.key differs from the first node's is refused with what to do")
    func secretsKeyMustMatch() async throws {
        try await SharedStoreFixture.with(1) { fixture in
            let other = try TemporaryDirectory("other-key")
            defer { other.remove() }
            await #expect {
                try await PostgresEngineStore.open(fixture.database, node: "n2", secretsKey: other.url.appendingPathComponent("secrets.key"),
                                                   logger: TestPostgres.logger)
            } throws: { error in
                "\(error)".contains("copy secrets.key from the data directory of the node that first used this database")
            }
        }
    }

    @Test("a store URL nobody answers is refused at once, saying where and what to check")
    func unreachableStoreIsRefused() async throws {
        let nowhere = PostgresURL(username: "tcly", host: "127.0.0.1", port: 1, database: "tcly", tls: .disable)
        let started = ContinuousClock.now
        await #expect {
            try await PostgresEngineStore.open(nowhere, node: "n1", secretsKey: nil, logger: TestPostgres.logger)
        } throws: { error in
            let text = "\(error)"
            return text.contains("cannot reach the database at postgres://tcly@127.0.0.1:1/tcly") && text.contains("check --store")
        }
        #expect(ContinuousClock.now - started < .seconds(15), "a refused connection must not be retried for ever")
    }

    @Test("a second store under a live node's name is refused, naming the holder; the name is free once the first closes")
    func oneProcessPerNodeName() async throws {
        try await SharedStoreFixture.with(1) { fixture in
            let key = fixture.folder.url.appendingPathComponent("secrets.key")
            // The requeue a node does at start is what two live stores under one name would break.
            try await fixture.insert("in/a.mp4")
            let running = try #require(try await fixture.nodes[0].claimNext(tool: "test"))
            await #expect {
                try await PostgresEngineStore.open(fixture.database, node: "n1", secretsKey: key, logger: TestPostgres.logger)
            } throws: { error in
                let text = "\(error)"
                return text.contains("node name \"n1\" is in use: another live process runs under it (connected from ")
                    && text.contains("give each node its own --node name")
            }
            #expect(try await fixture.nodes[0].job(id: running.job.id, orgID: fixture.app.orgID)?.status == .probing)
            // An administering store takes no name; another name is free.
            let admin = try await PostgresEngineStore.open(fixture.database, node: "n1", secretsKey: nil, holdsNodeName: false,
                                                          logger: TestPostgres.logger)
            admin.close()
            let other = try await PostgresEngineStore.open(fixture.database, node: "n2", secretsKey: key, logger: TestPostgres.logger)
            other.close()
            // Closed, the name is free again (its connection's close is not awaited: try for a while).
            let closedAt = Date()
            fixture.nodes[0].close()
            var reopened: PostgresEngineStore?
            var failures: [String] = []
            for _ in 0..<100 where reopened == nil {
                do {
                    reopened = try await PostgresEngineStore.open(fixture.database, node: "n1", secretsKey: key, logger: TestPostgres.logger)
                } catch {
                    failures.append("\(error)")
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            var holders = ""
            if reopened == nil {
                holders = try await fixture.value("""
                    SELECT coalesce(string_agg(a.pid || ' ' || a.application_name || ' ' || coalesce(a.state, '?') || ' ' || a.backend_start::text || ' ' || left(a.query, 100), '; '), 'none')
                    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """, as: String.self)
            }
            #expect(reopened != nil, "never reopened: \(failures.count) tries, the last: \(failures.last ?? "-"); holders: \(holders); closed at \(closedAt)")
            reopened?.close()
        }
    }

    @Test("a program started while a store is open does not keep its node name once it closes")
    func aChildProgramDoesNotHoldTheNodeName() async throws {
        try await SharedStoreFixture.with(1) { fixture in
            // What the full suite did by chance: a test started a long program (tcly serve)
            // while another's lock connection was open; the program inherited its socket.
            let program = try ChildProgram("/bin/sh", ["-c", "ls /proc/$$/fd; echo listed; sleep 60"])
            try await program.wait(seconds: 20, for: "the descriptor listing") { output, _ in output.contains("listed\n") }
            #expect(program.output.split(separator: "\n") == ["0", "1", "2", "listed"],
                    "a program a test starts has only standard input, output and error; it had: \(program.output)")
            fixture.nodes[0].close()
            let key = fixture.folder.url.appendingPathComponent("secrets.key")
            let reopened = await eventually(within: .seconds(20)) {
                guard let store = try? await PostgresEngineStore.open(fixture.database, node: "n1", secretsKey: key,
                                                                      logger: TestPostgres.logger) else { return false }
                store.close()
                return true
            }
            #expect(reopened, "n1 stayed in use after its store closed while \(program.commandLine) ran")
            program.signal(SIGKILL)
        }
    }

    @Test("two nodes adding the same app at once: one succeeds, the other is told it exists")
    func createAppRace() async throws {
        try await SharedStoreFixture.with(2) { fixture in
            // nil for a success, else the error's code: the first start of two nodes relies on `.alreadyExists`.
            let results = await withTaskGroup(of: ConnectError.Code?.self) { group in
                for node in fixture.nodes {
                    group.addTask {
                        do { _ = try await node.createApp(orgID: "org_r", name: "same", tier: .premium, key: nil); return nil } catch {
                            return (error as? ConnectError)?.code ?? .unknown
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let apps = try await fixture.nodes[0].apps()
            #expect(results.filter { $0 == nil }.count == 1 && results.filter { $0 == .alreadyExists }.count == 1, "\(results)")
            #expect(apps.filter { $0.orgID == "org_r" }.count == 1)
        }
    }

    private func jobID(of delivery: DueDelivery, _ fixture: SharedStoreFixture) async throws -> String? {
        try await fixture.value("SELECT job_id FROM webhook_deliveries WHERE seq = \(delivery.seq)", as: String.self)
    }
}

/// A publish step that fails, for the completion's rollback.
struct PublishRefused: Error {}
