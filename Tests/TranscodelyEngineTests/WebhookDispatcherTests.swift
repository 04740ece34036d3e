import Foundation
import Synchronization
import Testing
import Timekeeping
import TranscodelyAPI
import TranscodelyTestSupport
@testable import TranscodelyEngine

/// The webhook outbox's give-ups in a row, its pruning by age, and the dispatcher's one lookup
/// per delivery: the store driven directly on a test clock, and the dispatcher against real
/// receivers on loopback. A test waits on what the store or the receiver says, never on a time.
@Suite(.timeLimit(.minutes(5))) struct WebhookDispatcherTests {
    /// An engine on a temporary data directory, not running until `start`: events are queued by
    /// cancelling pending jobs (`job.canceled`), so nothing runs that the test did not ask for.
    final class Outbox: Sendable {
        let data: TemporaryDirectory
        let engine: Engine
        let caller: AppIdentity
        let runner = Mutex<Task<Void, any Error>?>(nil)
        var store: any EngineStorage { engine.store }

        init(policy: WebhookPolicy = WebhookPolicy(), clock: TimeSource = .system) async throws {
            data = try TemporaryDirectory("outbox")
            var configuration = Engine.Configuration(dataDirectory: data.url)
            configuration.encoder = SimulatedEncoder(spec: try SimulatedEncoder.Spec(parsing: "probe=0,encode=0.2"))
            configuration.workers = 1
            configuration.clock = clock
            configuration.webhooks = policy
            engine = try Engine(configuration)
            _ = try await engine.store.createApp(orgID: "org_a", name: "default", tier: .unlimited, key: "tk_outbox_key_0001")
            caller = try await engine.authenticate(key: "tk_outbox_key_0001", orgID: "org_a")
            let input = data.url.appendingPathComponent("origins/input/a.mp4")
            try Data("media".utf8).write(to: input)
        }

        func webhook(_ url: String) async throws -> Webhook {
            try await engine.createWebhook(CreateWebhookRequest(url: url, events: ["job.canceled"]), by: caller)
        }

        /// A job created and cancelled at once: one `job.canceled` delivery per endpoint.
        func canceledJob() async throws -> String {
            let request = CreateJobRequest(inputOriginID: Engine.localInput, inputPath: "a.mp4", outputOriginID: Engine.localOutput,
                                           outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])])
            guard case let .created(job) = try await engine.createJob(request, by: caller) else { throw SampleError("not created") }
            return try await engine.cancelJob(id: job.id, by: caller).id
        }

        func state(_ jobs: [String]) async throws -> [String] {
            var states: [String] = []
            for job in jobs { states += try await store.deliveries(jobID: job).map(\.state) }
            return states
        }

        /// Runs the engine (workers and dispatcher) until `stop`.
        func start() {
            let engine = engine
            runner.withLock { $0 = Task { try await engine.run() } }
        }

        func stop() async {
            let task = runner.withLock { $0 }
            task?.cancel()
            _ = try? await task?.value
            data.remove()
        }

        static func with<Result>(policy: WebhookPolicy = WebhookPolicy(), clock: TimeSource = .system,
                                 _ body: (Outbox) async throws -> Result) async throws -> Result {
            try await scoped(try await Outbox(policy: policy, clock: clock), stop: { await $0.stop() }, body)
        }
    }

    /// Polls `value` until `done` holds of it (30 s at most): what another task makes true.
    func eventually<T>(_ what: String, _ value: () async throws -> T, until done: (T) -> Bool) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let now = try await value()
            if done(now) { return now }
            guard ContinuousClock.now < deadline else {
                Issue.record("\(what) never came: \(now)")
                return now
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Given up in a row

    @Test func giveUpsInARowDisableTheEndpointAndDropItsPendingDeliveriesADeliveryInBetweenResetsTheCount() async throws {
        let clock = TestClock()
        try await Outbox.with(clock: clock.source) { o in
            let hook = try await o.webhook("http://127.0.0.1:9/hook")
            var jobs: [String] = []
            for _ in 0..<6 { jobs.append(try await o.canceledJob()) }
            clock.advance(by: .milliseconds(1))
            let now = clock.timestamp.microseconds
            let due = try await o.store.dueDeliveries(now: now, limit: 10, excluding: [])
            #expect(due.count == 6)
            let reason = "3 given up in a row; create the webhook again"
            func record(_ delivery: DueDelivery, _ outcome: AttemptOutcome) async throws -> Bool {
                try await o.store.recordAttempt(delivery, at: now, statusCode: 500, error: nil, durationMs: 1, outcome: outcome)
            }
            let gaveUp = AttemptOutcome.gaveUp(disableAfter: 3, reason: reason)
            #expect(try await record(due[0], gaveUp) == false)               // 1 in a row
            #expect(try await record(due[1], .delivered) == false)           // back to 0
            #expect(try await record(due[2], gaveUp) == false)               // 1
            #expect(try await record(due[3], .retry(at: now)) == false)      // a retry counts nothing: still 1
            #expect(try await record(due[4], gaveUp) == false)               // 2
            #expect(try await o.webhookList().first?.disabledReason == nil)
            let again = try #require(try await o.store.dueDeliveries(now: now, limit: 10, excluding: []).first { $0.seq == due[3].seq })
            #expect(again.attempts == 1)
            #expect(try await record(again, gaveUp) == true)                 // 3: disabled in this transaction
            // The one still pending is dropped with it; nothing is due any more, nothing queued later.
            #expect(try await o.state(jobs) == ["failed", "delivered", "failed", "failed", "failed", "dropped"])
            #expect(try await o.store.dueDeliveries(now: now + 1_000_000_000, limit: 10, excluding: []).isEmpty)
            #expect(try await o.store.nextDeliveryTime() == nil)
            let listed = try await o.webhookList()
            #expect(listed.map(\.id) == [hook.id] && listed.first?.disabledReason == reason)
            let later = try await o.canceledJob()
            #expect(try await o.store.deliveries(jobID: later).isEmpty)
        }
    }

    @Test func theDispatcherDisablesAnEndpointWhoseDeliveriesAreGivenUpInARow() async throws {
        // No retries (the first failure gives up), two give-ups in a row disable, one at a time.
        var policy = WebhookPolicy()
        policy.schedule = []
        policy.disableAfterGivenUp = 2
        policy.concurrency = 1
        try await WebhookSink.with(script: { index in ([500, 204, 500, 500][safe: index] ?? 204, [:]) }) { sink in
            try await Outbox.with(policy: policy) { o in
                let hook = try await o.webhook(sink.url)
                var jobs: [String] = []
                for _ in 0..<5 { jobs.append(try await o.canceledJob()) }
                o.start()
                let states = try await eventually("every delivery settled", { try await o.state(jobs) }) { $0.allSatisfy { $0 != "pending" } }
                // 500 (1 in a row), 204 (0), 500 (1), 500 (2: disabled); the fifth is never sent.
                #expect(states == ["failed", "delivered", "failed", "failed", "dropped"])
                #expect(sink.deliveries.count == 4)
                let reason = try #require(try await o.webhookList().first { $0.id == hook.id }?.disabledReason)
                #expect(reason.hasPrefix("2 deliveries in a row were given up") && reason.contains("HTTP 500")
                        && reason.hasSuffix("delete this webhook and create it again"), "\(reason)")
            }
        }
    }

    // MARK: - Pruning

    @Test func pruningDeletesOnlySettledDeliveriesThatEndedBeforeTheCutoff() async throws {
        let clock = TestClock()
        try await Outbox.with(clock: clock.source) { o in
            _ = try await o.webhook("http://127.0.0.1:9/hook")
            var jobs: [String] = []
            for _ in 0..<4 { jobs.append(try await o.canceledJob()) }
            clock.advance(by: .milliseconds(1))
            let t1 = clock.timestamp.microseconds
            let due = try await o.store.dueDeliveries(now: t1, limit: 10, excluding: [])
            try #require(due.count == 4)
            try await o.store.recordAttempt(due[0], at: t1, statusCode: 204, error: nil, durationMs: 1, outcome: .delivered)
            try await o.store.recordAttempt(due[1], at: t1, statusCode: 500, error: nil, durationMs: 1,
                                            outcome: .gaveUp(disableAfter: 100, reason: "-"))
            try await o.store.recordAttempt(due[2], at: t1, statusCode: 500, error: nil, durationMs: 1, outcome: .retry(at: t1 + 3_600_000_000))
            clock.advance(by: .seconds(3600))
            let t2 = clock.timestamp.microseconds
            try await o.store.recordAttempt(due[3], at: t2, statusCode: 204, error: nil, durationMs: 1, outcome: .delivered)

            // Ended at t1 is not before t1.
            #expect(try await o.store.pruneDeliveries(endedBefore: t1) == 0)
            #expect(try await o.state(jobs) == ["delivered", "failed", "pending", "delivered"])
            // A microsecond later: the two settled at t1 go, with their attempts.
            #expect(try await o.store.pruneDeliveries(endedBefore: t1 + 1) == 2)
            #expect(try await o.state(jobs) == ["pending", "delivered"])
            #expect(try await o.store.deliveryAttempts(jobID: jobs[0]).isEmpty)
            #expect(try await o.store.deliveryAttempts(jobID: jobs[1]).isEmpty)
            // However old, a pending delivery stays, its attempt too.
            #expect(try await o.store.pruneDeliveries(endedBefore: t2 + 86_400_000_000) == 1)
            #expect(try await o.state(jobs) == ["pending"])
            #expect(try await o.store.deliveryAttempts(jobID: jobs[2]).map(\.statusCode) == [500])
        }
    }

    @Test func theDispatcherPrunesAtStartAndThenHourly() async throws {
        let clock = TestClock()
        var policy = WebhookPolicy()
        policy.retention = .seconds(2 * 3600)
        try await WebhookSink.with { sink in
            try await Outbox.with(policy: policy, clock: clock.source) { o in
                _ = try await o.webhook(sink.url)
                // Settled before the engine starts, more than the retention ago: pruned at start.
                let old = try await o.canceledJob()
                clock.advance(by: .milliseconds(1))
                let due = try await o.store.dueDeliveries(now: clock.timestamp.microseconds, limit: 10, excluding: [])
                try await o.store.recordAttempt(try #require(due.first), at: clock.timestamp.microseconds, statusCode: 204, error: nil,
                                                durationMs: 1, outcome: .delivered)
                clock.advance(by: .seconds(2 * 3600 + 1))
                o.start()
                _ = try await eventually("the old delivery pruned at start", { try await o.store.deliveries(jobID: old) }) { $0.isEmpty }

                // Delivered now by the dispatcher; pruned on the first hourly round past the retention.
                let recent = try await o.canceledJob()
                clock.advance(by: .milliseconds(1))
                _ = try await eventually("the delivery delivered", { try await o.store.deliveries(jobID: recent) }) {
                    $0.first?.state == "delivered"
                }
                #expect(sink.deliveries.count == 1)
                // An hour at a look: the pruner's round comes whenever its sleep was set.
                _ = try await eventually("the delivery pruned hourly", {
                    clock.advance(by: .seconds(3600))
                    return try await o.store.deliveries(jobID: recent)
                }) { $0.isEmpty }
            }
        }
    }

    // MARK: - One lookup, and the connection to what it found

    @Test func aTargetIsResolvedOnceAndEveryAddressIsChecked() throws {
        let lookups = Shared<[String]>([])
        var policy = WebhookPolicy()
        policy.resolve = { name in
            lookups.value.withLock { $0.append(name) }
            switch name {
            case "receiver.invalid": return [IPNetwork.Address("127.0.0.1")!]
            case "mixed.invalid": return [IPNetwork.Address("127.0.0.1")!, IPNetwork.Address("10.9.9.9")!]
            case "localhost": return IPNetwork.resolve(name)
            default: return []
            }
        }
        // Literals are their own address: nothing is looked up.
        let v4 = try policy.target("http://127.0.0.1:8080/hook")
        #expect(v4 == WebhookTarget(host: "127.0.0.1", addresses: [IPNetwork.Address("127.0.0.1")!], isLiteral: true))
        let v6 = try policy.target("https://[::1]:8443/hook")
        #expect(v6 == WebhookTarget(host: "::1", addresses: [IPNetwork.Address("::1")!], isLiteral: true))
        #expect(lookups.value.withLock { $0 }.isEmpty)
        // A name is looked up once, and what it gave is what the delivery may connect to.
        let named = try policy.target("http://receiver.invalid:8080/hook")
        #expect(named == WebhookTarget(host: "receiver.invalid", addresses: [IPNetwork.Address("127.0.0.1")!], isLiteral: false))
        #expect(lookups.value.withLock { $0 } == ["receiver.invalid"])
        // localhost, by the system's resolver: loopback only, each address once.
        let localhost = try policy.target("http://localhost:8080/hook")
        #expect(!localhost.isLiteral && !localhost.addresses.isEmpty && localhost.addresses.allSatisfy(\.isLoopback))
        #expect(Set(localhost.addresses).count == localhost.addresses.count)

        // One address outside the allowed networks refuses the whole host, naming it and the flag.
        func refusal(_ url: String, _ policy: WebhookPolicy) -> ConnectError? {
            do throws(ConnectError) { _ = try policy.target(url); return nil } catch { return error }
        }
        let mixed = refusal("http://mixed.invalid/hook", policy)
        #expect(mixed?.code == .failedPrecondition)
        #expect(mixed?.message == "url: mixed.invalid (10.9.9.9) is outside loopback and the networks this engine delivers to; start tcly serve with --webhook-allow 10.9.9.9/32 (or a wider CIDR) to allow it")
        #expect(refusal("http://10.1.2.3/x", policy)?.message.contains("--webhook-allow 10.1.2.3/32") == true)
        #expect(refusal("http://[fd00::1]/x", policy)?.message.contains("--webhook-allow fd00::1/128") == true)
        #expect(refusal("http://0.0.0.0:80/x", policy)?.message.contains("--webhook-allow 0.0.0.0/32") == true)
        #expect(refusal("http://nothing.invalid/x", policy)?.code == .invalidArgument)
        // Allowed once its network is listed.
        policy.allowedNetworks = [IPNetwork("10.0.0.0/8")!]
        #expect(try policy.target("http://mixed.invalid/hook").addresses.count == 2)
    }

    @Test func aDeliveryConnectsToTheCheckedAddressAndKeepsTheURLsHost() async throws {
        // The name exists only in the policy's table: the HTTP client could not have found the
        // receiver by resolving it again, so a delivery that arrives went to the checked address.
        var policy = WebhookPolicy()
        policy.resolve = { $0 == "receiver.invalid" ? [IPNetwork.Address("127.0.0.1")!] : [] }
        try await WebhookSink.with { sink in
            try await Outbox.with(policy: policy) { o in
                _ = try await o.webhook("http://receiver.invalid:\(sink.port)/hook")
                let job = try await o.canceledJob()
                o.start()
                let received = try await sink.wait { $0.count == 1 }
                #expect(received.first?.host == "receiver.invalid:\(sink.port)")
                #expect(received.first?.jobID == job)
                _ = try await eventually("the delivery delivered", { try await o.store.deliveries(jobID: job) }) { $0.first?.state == "delivered" }
                let pinned = o.engine.dispatcher.clients.pinned
                #expect(pinned == [WebhookClients.Key(host: "receiver.invalid", address: IPNetwork.Address("127.0.0.1")!, isLiteral: false)])
                #expect(pinned.first?.dnsOverride == ["receiver.invalid": "127.0.0.1"])
            }
        }
    }

    @Test func aHostThatNowResolvesOutsideTheAllowedNetworksIsNotContacted() async throws {
        // DNS rebinding: the name answers loopback when the webhook is created, 0.0.0.0 (which
        // connects to this machine, the receiver included) when a delivery is due. The delivery
        // is refused before any connection, recorded as a failed attempt naming the address and
        // the flag, and retried; once the name answers loopback again it is delivered.
        let answer = Shared("127.0.0.1")
        var policy = WebhookPolicy()
        policy.resolve = { name in name == "rebind.invalid" ? [IPNetwork.Address(answer.value.withLock { $0 })!] : [] }
        let clock = TestClock()
        try await WebhookSink.with { sink in
            try await Outbox.with(policy: policy, clock: clock.source) { o in
                _ = try await o.webhook("http://rebind.invalid:\(sink.port)/hook")
                answer.value.withLock { $0 = "0.0.0.0" }
                let job = try await o.canceledJob()
                o.start()
                clock.advance(by: .milliseconds(1))
                let first = try await eventually("the first attempt", { try await o.store.deliveries(jobID: job) }) { $0.first?.attempts == 1 }
                #expect(first.first?.state == "pending")
                let attempt = try #require(try await o.store.deliveryAttempts(jobID: job).first)
                let error = try #require(attempt.error)
                #expect(attempt.statusCode == nil)
                #expect(error.hasPrefix("not sent: url: rebind.invalid (0.0.0.0) is outside loopback") && error.contains("--webhook-allow 0.0.0.0/32"),
                        "\(error)")
                #expect(sink.deliveries.isEmpty)
                #expect(o.engine.dispatcher.clients.pinned.isEmpty)

                answer.value.withLock { $0 = "127.0.0.1" }
                clock.advance(by: .seconds(5))
                _ = try await eventually("the retry delivered", { try await o.store.deliveries(jobID: job) }) { $0.first?.state == "delivered" }
                #expect(sink.deliveries.count == 1 && sink.deliveries.first?.host == "rebind.invalid:\(sink.port)")
            }
        }
    }
}

extension WebhookDispatcherTests.Outbox {
    func webhookList() async throws -> [Webhook] { try await engine.listWebhooks(by: caller) }
}

/// A value closures share (a `Mutex` itself cannot be captured).
final class Shared<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ value: T) { self.value = Mutex(value) }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
