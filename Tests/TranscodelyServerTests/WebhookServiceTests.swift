import Crypto
import Foundation
import Testing
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
import TranscodelyServer
import TranscodelyTestSupport

/// WebhookService over HTTP and the engine's deliveries to a real receiver: signed per Standard
/// Webhooks, retried with the same webhook-id, Retry-After honoured, disabled on 410, scoped to
/// the organization. (The retry schedule is walked on a test clock.)
@Suite(.timeLimit(.minutes(5))) struct WebhookServiceTests {
    func register(_ f: ServerFixture, _ url: String, events: [String] = [], caller: APICaller? = nil) async throws -> Webhook {
        let list = events.map { "\"\($0)\"" }.joined(separator: ",")
        let reply = try await (caller ?? f.a).call("WebhookService/Create", #"{"url":"\#(url)","events":[\#(list)]}"#)
        #expect(reply.status == 200, "\(reply.text)")
        return try reply.decode(WebhookResponse.self).webhook
    }

    func create(_ f: ServerFixture, key: String) async throws -> Job {
        try await f.a.create(key: key).decode(JobResponse.self).job
    }

    /// The job's deliveries as the outbox records them, once `done` holds for them (30 s at most):
    /// a test waits on what the store says became of a delivery, never on a length of time.
    func deliveries(_ f: ServerFixture, of jobID: String, until done: ([QueuedDelivery]) -> Bool) async throws -> [QueuedDelivery] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let now = try await f.server.engine.store.deliveries(jobID: jobID)
            if done(now) { return now }
            guard ContinuousClock.now < deadline else {
                Issue.record("the deliveries of \(jobID) never got there: \(now)")
                return now
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func endpointsAreCreatedListedDeletedAndTheSecretIsShownOnce() async throws {
        try await ServerFixture.with { f in
            let hook = try await register(f, "http://127.0.0.1:9/hook")
            #expect(hook.id.hasPrefix("wh_") && hook.secret?.hasPrefix("whsec_") == true)
            #expect(hook.events == ["job.completed", "job.failed", "job.canceled"])
            let listed = try await f.a.call("WebhookService/List", "{}").decode(ListWebhooksResponse.self).webhooks
            #expect(listed.map(\.id) == [hook.id] && listed[0].secret == nil)
            #expect(!(try await f.a.call("WebhookService/List", "{}").text.contains("whsec_")))
            // Another organization neither sees nor deletes it.
            #expect(try await f.b.call("WebhookService/List", "{}").decode(ListWebhooksResponse.self).webhooks.isEmpty)
            #expect(try await f.b.call("WebhookService/Delete", #"{"id":"\#(hook.id)"}"#).code == "not_found")
            #expect(try await f.a.call("WebhookService/Delete", #"{"id":"\#(hook.id)"}"#).status == 200)
            #expect(try await f.a.call("WebhookService/List", "{}").decode(ListWebhooksResponse.self).webhooks.isEmpty)
        }
    }

    @Test func badEndpointsAreRefusedNamingWhatToChange() async throws {
        try await ServerFixture.with { f in
            func refusal(_ body: String) async throws -> (String?, String) {
                let reply = try await f.a.call("WebhookService/Create", body)
                return (reply.code, reply.message)
            }
            #expect(try await refusal(#"{"url":"ftp://127.0.0.1/x"}"#) == ("invalid_argument", #"url: "ftp://127.0.0.1/x" is not an http:// or https:// URL"#))
            #expect(try await refusal(#"{"url":"http://127.0.0.1/x","events":["job.done"]}"#)
                    == ("invalid_argument", #"events: "job.done" is not one of job.completed, job.failed, job.canceled, job.progress"#))
            let (code, message) = try await refusal(#"{"url":"http://10.1.2.3/x"}"#)
            #expect(code == "failed_precondition" && message.contains("--webhook-allow 10.1.2.3/32"))
            #expect(try await refusal(#"{"url":"http://127.0.0.1/x","secret":"mine"}"#).1 == "secret: unknown field; expected one of events, url")
            #expect(try await refusal(#"{}"#).0 == "invalid_argument")
        }
    }

    @Test func deliveriesAreSignedAndCarryTheJob() async throws {
        try await ServerFixture.with { f in
            try await WebhookSink.with { sink in
                let hook = try await register(f, sink.url, events: ["job.completed", "job.progress"])
                let job = try await create(f, key: "signed")
                let done = try await f.finished(job.id)
                let received = try await sink.wait { $0.contains { $0.type == "job.completed" } }
                let key = try WebhookSignature.key(try #require(hook.secret))
                for delivery in received {
                    #expect(delivery.id.hasPrefix("evt_"))
                    try WebhookSignature.verify(key: key, id: delivery.id, timestamp: delivery.timestamp, signature: delivery.signature,
                                                body: delivery.body, now: Int64(Date().timeIntervalSince1970))
                    #expect(delivery.json["id"] as? String == delivery.id)
                }
                let completed = try #require(received.first { $0.type == "job.completed" })
                let event = try JSONDecoder().decode(WebhookEvent.self, from: Data(completed.body))
                #expect(event.data.job.id == job.id && event.data.job.status == .completed && event.data.job.updatedAt == done.updatedAt)
                #expect(received.contains { $0.type == "job.progress" })
                // Another organization's jobs are never delivered here.
                // (Events are queued with the change that ends a job: once it has ended, none is to come.)
                let other = try await f.b.create(key: "other-org").decode(JobResponse.self).job
                _ = try await f.finished(other.id, f.b)
                #expect(try await f.server.engine.store.deliveries(jobID: other.id).isEmpty)
                #expect(!sink.deliveries.contains { $0.jobID == other.id })
            }
        }
    }

    @Test func aFailedAttemptIsRetriedWithTheSameWebhookIDAndRetryAfterIsHonoured() async throws {
        // The engine runs on a test clock: the retry schedule (5 s, then 5 min) is walked by
        // advancing it, and what the dispatcher decided is read from the outbox.
        let clock = TestClock()
        try await ServerFixture.with(clock: clock.source) { f in
            // 500 once, then 429 with Retry-After: 600 (longer than the schedule's 5 min), then 204.
            try await WebhookSink.with(script: { index in
                switch index {
                case 0: (500, [:])
                case 1: (429, ["Retry-After": "600"])
                default: (204, [:])
                }
            }) { sink in
                _ = try await register(f, sink.url, events: ["job.completed"])
                let job = try await create(f, key: "retried")
                _ = try await f.finished(job.id)
                // The event is due at the job's last stamp, which the store keeps a few µs apart
                // from the one before (the clock stands still): a millisecond on, it is due.
                clock.advance(by: .milliseconds(1))
                // The first attempt goes then; the next is due 5 s later on the schedule.
                let first = try await deliveries(f, of: job.id) { $0.first?.attempts == 1 }
                #expect(first.first.map { $0.nextAttemptAt.microseconds - clock.timestamp.microseconds } == 5_000_000)
                clock.advance(by: .seconds(5))
                // The 429's Retry-After (600 s) wins over the schedule's 300 s.
                let second = try await deliveries(f, of: job.id) { $0.first?.attempts == 2 }
                #expect(second.first.map { $0.nextAttemptAt.microseconds - clock.timestamp.microseconds } == 600_000_000)
                clock.advance(by: .seconds(600))
                let outbox = try await deliveries(f, of: job.id) { $0.allSatisfy(\.isSettled) }
                // Recorded as delivered: nothing more is attempted. The same webhook-id every time.
                #expect(outbox.map(\.state) == ["delivered"] && outbox.first?.attempts == 3)
                let received = sink.deliveries
                #expect(received.count == 3 && Set(received.map(\.id)).count == 1 && received.allSatisfy { $0.jobID == job.id })
                let attempts = try await f.server.engine.store.deliveryAttempts(jobID: job.id)
                #expect(attempts.map(\.statusCode) == [500, 429, 204] && attempts.last?.state == "delivered")
            }
        }
    }

    @Test func anAbsurdRetryAfterIsCappedNotFatal() async throws {
        try await ServerFixture.with { f in
            try await WebhookSink.with(script: { _ in (503, ["Retry-After": "1e300"]) }) { sink in
                _ = try await register(f, sink.url, events: ["job.completed"])
                let job = try await create(f, key: "absurd")
                try await sink.wait { $0.count == 1 }
                // Recorded, retried no sooner than a day from now, and the engine still answers.
                let outbox = try await deliveries(f, of: job.id) { $0.first?.attempts == 1 }
                let dayFromNow = Int64(Date().timeIntervalSince1970 * 1_000_000) + 86_000 * 1_000_000
                #expect(outbox.first?.state == "pending" && outbox.first.map { $0.nextAttemptAt.microseconds > dayFromNow } == true, "\(outbox)")
                let attempts = try await f.server.engine.store.deliveryAttempts(jobID: job.id)
                #expect(attempts.map(\.statusCode) == [503] && attempts.first?.state == "pending")
                #expect(try await f.a.call("JobService/Get", #"{"id":"\#(job.id)"}"#).status == 200)
                #expect(sink.deliveries.count == 1)
            }
        }
    }

    @Test func anEndpointAnswering410IsDisabled() async throws {
        try await ServerFixture.with { f in
            try await WebhookSink.with(script: { _ in (410, [:]) }) { sink in
                let hook = try await register(f, sink.url, events: ["job.completed"])
                let first = try await create(f, key: "gone-1")
                try await sink.wait { $0.count == 1 }
                _ = try await f.finished(first.id)
                // The 410 is recorded (the endpoint disabled in the same transaction).
                #expect(try await deliveries(f, of: first.id) { $0.allSatisfy(\.isSettled) }.map(\.state) == ["failed"])
                let listed = try await f.a.call("WebhookService/List", "{}").decode(ListWebhooksResponse.self).webhooks
                #expect(listed.first { $0.id == hook.id }?.disabledReason?.contains("410") == true)
                // A disabled endpoint gets no event queued for a job that ends later.
                let second = try await create(f, key: "gone-2")
                _ = try await f.finished(second.id)
                #expect(try await f.server.engine.store.deliveries(jobID: second.id).isEmpty)
                #expect(sink.deliveries.count == 1)
            }
        }
    }

    @Test func httpsReceiversAreVerifiedAgainstTheSystemStoreAndTheGivenCA() async throws {
        let pki = try TemporaryDirectory("pki")
        defer { pki.remove() }
        let certificates = try TestCertificates(in: pki.url)
        let ca = try await certificates.authority()
        let certificate = try await certificates.server(signedBy: ca)
        try await WebhookSink.with(certificate: (certificate.certificateFile, certificate.keyFile)) { sink in
            #expect(sink.url.hasPrefix("https://127.0.0.1:"))

            // Trusting the CA: delivered over TLS.
            try await ServerFixture.with(webhookCA: ca.certificateFile) { trusting in
                _ = try await register(trusting, sink.url, events: ["job.completed"])
                let job = try await create(trusting, key: "tls-trusted")
                let received = try await sink.wait { $0.contains { $0.jobID == job.id } }
                #expect(received.contains { $0.type == "job.completed" })
            }

            // Not trusting it: the attempt fails, saying why in plain words, and nothing arrives.
            try await ServerFixture.with { f in
                _ = try await register(f, sink.url, events: ["job.completed"])
                let job = try await create(f, key: "tls-untrusted")
                _ = try await deliveries(f, of: job.id) { ($0.first?.attempts ?? 0) >= 1 }
                let attempts = try await f.server.engine.store.deliveryAttempts(jobID: job.id)
                let error = try #require(attempts.first?.error)
                #expect(error.hasPrefix("the receiver's certificate is not trusted: "), "\(error)")
                #expect(attempts.first?.statusCode == nil)
                #expect(!sink.deliveries.contains { $0.jobID == job.id })
            }
        }
    }
}
